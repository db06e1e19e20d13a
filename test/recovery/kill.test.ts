/**
 * Crash recovery (SPEC §6): a child process runs many executions on SQLite and is killed with
 * SIGKILL in the middle; a new process on the same file must finish every execution without
 * re-running committed steps, re-run the interrupted ones with the same idempotency key, honour
 * stored backoff and timer times, and resume compensation where it stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { readLedger } from './ledger.js';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
const COUNT = 60;
const dir = mkdtempSync(join(tmpdir(), 'orch-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spawnChild(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out + err, exited };
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function readStore(file: string, ids: string[]): Promise<Map<string, ExecutionSnapshot>> {
  const store = new SqliteStore(file);
  await store.init();
  const map = new Map<string, ExecutionSnapshot>();
  for (const id of ids) {
    const snap = await store.getExecution(id);
    if (snap) map.set(id, snap);
  }
  await store.close();
  return map;
}

describe('kill -9 in the middle of many executions', () => {
  it('resumes every execution from its stored position', async () => {
    const storeFile = join(dir, 'orchestrator.sqlite');
    const ledger = join(dir, 'ledger.txt');
    const idsFile = join(dir, 'ids.json');

    const first = spawnChild(['start', storeFile, ledger, idsFile, String(COUNT)]);
    await until(() => first.output().includes('submitted') || first.child.exitCode !== null, 'submission');
    expect(first.output()).toContain('submitted');
    // Kill once a good share of the work is done, at a moment when some step is mid-run.
    const midRun = () => {
      const lines = readLedger(ledger);
      if (lines.filter((l) => l.kind === 'end').length < COUNT) return false;
      const open = new Set<string>();
      for (const l of lines) {
        const key = `${l.exec}:${l.step}:${l.attempt}`;
        if (l.kind === 'start') open.add(key);
        else open.delete(key);
      }
      return open.size > 0;
    };
    await until(midRun, 'progress with a step in flight');
    first.child.kill('SIGKILL');
    await first.exited;

    const ids: string[] = JSON.parse(readFileSync(idsFile, 'utf8'));
    expect(ids).toHaveLength(COUNT);
    const before = await readStore(storeFile, ids);
    expect(before.size).toBe(COUNT); // every accepted execution was stored
    const unfinished = [...before.values()].filter(
      (s) => !['completed', 'failed', 'cancelled'].includes(s.execution.status),
    );
    expect(unfinished.length).toBeGreaterThan(0);
    const committed = new Set<string>();
    for (const s of before.values())
      for (const st of s.steps) if (st.status === 'completed') committed.add(`${st.executionId}:${st.name}`);
    const phase1 = readLedger(ledger);

    const second = spawnChild(['resume', storeFile, ledger, idsFile]);
    const code = await second.exited;
    expect(code, second.output()).toBe(0);
    const statuses: ExecutionStatus[] = JSON.parse(
      second
        .output()
        .trim()
        .split('\n')
        .find((l) => l.startsWith('['))!,
    );
    const phase2 = readLedger(ledger).slice(phase1.length);
    const after = await readStore(storeFile, ids);

    // Every execution reached the terminal state its workflow leads to.
    expect(statuses).toHaveLength(COUNT);
    for (const s of statuses) {
      if (s.workflowId === 'ok_flow') {
        expect(s.status, JSON.stringify(s.error)).toBe('completed');
        expect(s.stepsCompleted).toBe(5);
      } else {
        expect(s.status).toBe('failed');
        expect(s.error?.code).toBe('BOOM');
        // Compensation ran for exactly the completed steps, in reverse completion order.
        const snap = after.get(s.id)!;
        const order = snap.steps
          .filter((st) => st.status === 'completed' && ['s1', 's2', 'p1', 'p2'].includes(st.name))
          .sort((a, b) => (b.completionSeq ?? 0) - (a.completionSeq ?? 0))
          .map((st) => st.name);
        expect(s.compensatedSteps).toEqual(order);
        expect(order).toHaveLength(4);
      }
    }

    // A step whose completion was committed before the kill never ran again.
    for (const l of phase2) {
      if (l.kind === 'start')
        expect(committed.has(`${l.exec}:${l.step}`), `${l.exec}:${l.step} re-ran`).toBe(false);
    }

    // Steps interrupted by the kill ran again, with the same idempotency key.
    const ended = new Set(
      phase1
        .filter((l) => l.kind === 'end' || l.kind === 'fail')
        .map((l) => `${l.exec}:${l.step}:${l.attempt}`),
    );
    const interrupted = phase1.filter(
      (l) =>
        l.kind === 'start' &&
        !ended.has(`${l.exec}:${l.step}:${l.attempt}`) &&
        !committed.has(`${l.exec}:${l.step}`),
    );
    expect(interrupted.length).toBeGreaterThan(0);
    for (const l of interrupted) {
      const rerun = phase2.find((p) => p.kind === 'start' && p.exec === l.exec && p.step === l.step);
      expect(rerun, `${l.exec}:${l.step} was not re-run`).toBeDefined();
      expect(rerun?.key).toBe(l.key);
    }

    // Stored backoff times and durable timers were honoured across the restart.
    for (const [id, snap] of before) {
      const flaky = snap.steps.find((st) => st.name === 'flaky');
      if (flaky?.status === 'waiting' && flaky.nextAttemptAt !== null) {
        const retry = phase2.find((p) => p.kind === 'start' && p.exec === id && p.step === 'flaky');
        expect(retry).toBeDefined();
        expect(retry!.at).toBeGreaterThanOrEqual(flaky.nextAttemptAt);
      }
      const wait = snap.steps.find((st) => st.name === 'wait');
      if (wait && wait.status !== 'completed' && wait.timerAt !== null) {
        const resumed = after.get(id)!.steps.find((st) => st.name === 'wait')!;
        expect(resumed.timerAt).toBe(wait.timerAt);
        expect(resumed.completedAt!).toBeGreaterThanOrEqual(wait.timerAt);
      }
    }

    // A compensation committed before the kill did not run again.
    for (const snap of before.values()) {
      for (const st of snap.steps) {
        if (st.compensation?.status !== 'completed') continue;
        const again = phase2.filter(
          (p) => p.kind === 'comp-start' && p.exec === st.executionId && p.step === st.name,
        );
        expect(again).toHaveLength(0);
      }
    }
  }, 120_000);
});
