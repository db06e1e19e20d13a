/**
 * Recovery from a kill -9 with an execution in every state (SPEC §6): one in a handler, one in a
 * backoff wait, one in a `delay` step, one compensating, two queued as `pending`. The next
 * orchestrator on the file resumes every one: completed steps do not run again; the interrupted
 * step and compensation run again under their idempotency keys; the retry and the delay's end
 * start no earlier than their stored times; the queued ones run from the start. Its metrics
 * (SPEC §5) then count each execution and step once: the interrupted step is one step run and no
 * retry, the compensating execution one that compensated; and the store's counts, which the next
 * start loads, agree.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, SqliteStore } from '../../src/index.js';
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { runTsChild } from '../helpers/child.js';
import { handlers, SLOTS } from './every-state-flows.js';
import { readLedger } from './ledger.js';

const CHILD = join(import.meta.dirname, 'every-state-child.ts');
const root = mkdtempSync(join(tmpdir(), 'orch-every-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function snapshots(
  file: string,
  ids: Record<string, string>,
): Promise<Record<string, ExecutionSnapshot>> {
  const store = new SqliteStore(file);
  await store.init();
  try {
    const out: Record<string, ExecutionSnapshot> = {};
    for (const [label, id] of Object.entries(ids)) {
      const snapshot = await store.getExecution(id);
      if (!snapshot) throw new Error(`execution ${label} (${id}) is not stored`);
      out[label] = snapshot;
    }
    return out;
  } finally {
    await store.close();
  }
}

describe('a process killed with an execution in every state', () => {
  it('resumes each from its stored state, and the metrics count each execution and step once', async () => {
    const file = join(root, 'store.sqlite');
    const ledger = join(root, 'ledger.txt');
    const idsFile = join(root, 'ids.json');
    const child = await runTsChild(CHILD, [file, ledger, idsFile]);
    expect(child.signal, child.out).toBe('SIGKILL');
    const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as Record<string, string>;
    const before = await snapshots(file, ids);
    const killedAt = readLedger(ledger).length;
    const step = (label: string, name: string) => before[label]?.steps.find((s) => s.name === name);
    const retryAt = step('in_backoff', 'f')?.nextAttemptAt ?? Number.NaN;
    const delayEnd = step('in_delay', 'd')?.timerAt ?? Number.NaN;

    const orch = await createOrchestrator({
      store: `sqlite:${file}`,
      maxConcurrentWorkflows: SLOTS,
      ...handlers(ledger, false),
    });
    const ends: Record<string, { status: string; compensated: string[]; attempts: string }> = {};
    try {
      for (const [label, id] of Object.entries(ids)) {
        const s = await orch.workflowEngine.waitForCompletion(id, { timeout: 30 });
        ends[label] = {
          status: s.status,
          compensated: s.compensatedSteps,
          attempts: s.steps.map((st) => `${st.name}:${st.status}:${st.attempts}`).join(' '),
        };
      }
      expect(ends).toEqual({
        in_handler: {
          status: 'completed',
          compensated: [],
          attempts: 'a:completed:1 h:completed:2 z:completed:1',
        },
        in_backoff: { status: 'completed', compensated: [], attempts: 'a:completed:1 f:completed:2' },
        in_delay: {
          status: 'completed',
          compensated: [],
          // The delay's wait went on as its one attempt (a timer, not a run the kill cut short).
          attempts: 'a:completed:1 d:completed:1 z:completed:1',
        },
        compensating: { status: 'failed', compensated: ['a'], attempts: 'a:completed:1 b:failed:1' },
        pending_ok: {
          status: 'completed',
          compensated: [],
          attempts: 'a:completed:1 h:completed:1 z:completed:1',
        },
        pending_saga: { status: 'failed', compensated: ['a'], attempts: 'a:completed:1 b:failed:1' },
      });

      const all = readLedger(ledger);
      const after = all.slice(killedAt);
      const calls = (lines: typeof all, label: string) =>
        lines.filter((l) => l.exec === ids[label]).map((l) => `${l.kind} ${l.step} ${l.attempt} ${l.key}`);
      const key = (label: string, name: string) => `${ids[label]}:${name}`;
      // What ran before the kill does not run again; what it cut short runs again under its key.
      expect(calls(after, 'in_handler')).toEqual([
        `run h 2 ${key('in_handler', 'h')}`,
        `run z 1 ${key('in_handler', 'z')}`,
      ]);
      expect(calls(after, 'in_backoff')).toEqual([`run f 2 ${key('in_backoff', 'f')}`]);
      expect(calls(after, 'in_delay')).toEqual([`run z 1 ${key('in_delay', 'z')}`]);
      expect(calls(after, 'compensating')).toEqual([`undo a 2 ${key('compensating', 'a')}:compensate`]);
      expect(calls(all, 'pending_ok')).toEqual([
        `run a 1 ${key('pending_ok', 'a')}`,
        `run h 1 ${key('pending_ok', 'h')}`,
        `run z 1 ${key('pending_ok', 'z')}`,
      ]);
      expect(calls(all, 'pending_saga')).toEqual([
        `run a 1 ${key('pending_saga', 'a')}`,
        `run b 1 ${key('pending_saga', 'b')}`,
        `undo a 1 ${key('pending_saga', 'a')}:compensate`,
      ]);
      // The stored retry time and end of the delay held across the restart.
      const at = (label: string, name: string) =>
        after.find((l) => l.exec === ids[label] && l.step === name)?.at;
      expect(at('in_backoff', 'f')).toBeGreaterThanOrEqual(retryAt);
      expect(at('in_delay', 'z')).toBeGreaterThanOrEqual(delayEnd);

      // 15 steps run (the interrupted h once), 1 retried (f; h's second attempt is no retry),
      // 2 of the 6 executions compensated.
      const counts = {
        executions: {
          total: 6,
          running: 0,
          pending: 0,
          compensating: 0,
          completed: 4,
          failed: 2,
          cancelled: 0,
        },
        successRate: 4 / 6,
        retryRate: 1 / 15,
        stepsRun: 15,
        compensationRate: 2 / 6,
      };
      expect(orch.getMetrics()).toMatchObject(counts);
      await orch.close();
      // The next start loads the same counts from the store.
      const again = await createOrchestrator({ store: `sqlite:${file}`, ...handlers(ledger, false) });
      try {
        expect(again.getMetrics()).toMatchObject(counts);
      } finally {
        await again.close();
      }
    } finally {
      await orch.close();
    }
  }, 120_000);
});
