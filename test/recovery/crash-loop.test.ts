/**
 * A step (or compensation) whose handler takes its process down each time it runs must not do so
 * forever: after `maxStepInterruptions` interrupted runs it fails with INTERRUPTION_LIMIT (and the
 * saga compensates), while a step interrupted fewer times simply runs again (SPEC §6). Real
 * processes, real SIGKILL, one SQLite file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/index.js';
import { type ChildRun, runTsChild } from '../helpers/child.js';

const CHILD = join(import.meta.dirname, 'crash-loop-child.ts');
const dir = mkdtempSync(join(tmpdir(), 'orch-crash-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the flow, then restarts the process until it ends the execution (at most `limit` + 3 runs). */
async function crashLoop(name: string, limit: number, crashes: number, flow: 'step' | 'compensation') {
  const store = join(dir, `${name}.sqlite`);
  const ledger = join(dir, `${name}.ledger`);
  const runs: ChildRun[] = [];
  for (let i = 0; i < limit + 3; i++) {
    const run = await runTsChild(CHILD, [
      store,
      ledger,
      String(limit),
      String(crashes),
      flow,
      i === 0 ? 'start' : 'resume',
    ]);
    runs.push(run);
    if (run.signal !== 'SIGKILL') break;
  }
  const last = runs[runs.length - 1]!;
  expect(last.code, last.out).toBe(0);
  const status = JSON.parse(last.out.trim().split('\n').pop()!) as ExecutionStatus;
  const lines = existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n') : [];
  const count = (what: string) => lines.filter((l) => l === what).length;
  return { runs: runs.length, status, count };
}

describe('a handler that kills its process each time it runs', () => {
  it('fails the step with INTERRUPTION_LIMIT after maxStepInterruptions interruptions, and compensates', async () => {
    const { runs, status, count } = await crashLoop('step', 2, 1000, 'step');
    // The first run's start was never stored (the kill came before the engine's next turn), so
    // that one is not counted; every later start is stored before the handler runs. Runs 2 and 3
    // are the 2 counted interruptions; the 4th process fails the step without running it.
    expect(count('crash')).toBe(3);
    expect(runs).toBe(4);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'INTERRUPTION_LIMIT', step: 'crash' });
    expect(status.error?.message).toContain("Step 'crash' was cut short 2 times");
    expect(status.compensatedSteps).toEqual(['book']);
    expect(count('book')).toBe(1);
    expect(count('unbook')).toBe(1);
    expect(count('after')).toBe(0);
    const crash = status.steps.find((s) => s.name === 'crash')!;
    expect(crash.status).toBe('failed');
    expect(crash.attempts).toBe(3);
  }, 60_000);

  it('runs a step interrupted fewer times than the limit again, to completion', async () => {
    const { runs, status, count } = await crashLoop('below', 3, 2, 'step');
    expect(runs).toBe(3);
    expect(count('crash')).toBe(3);
    expect(status.status).toBe('completed');
    expect(count('after')).toBe(1);
    expect(count('unbook')).toBe(0);
  }, 60_000);

  it('fails a compensation that kills its process each time, and ends the execution failed', async () => {
    const { runs, status, count } = await crashLoop('comp', 2, 1000, 'compensation');
    expect(count('unbook')).toBe(3);
    expect(runs).toBe(4);
    expect(status.status).toBe('failed');
    expect(status.compensatedSteps).toEqual([]);
    const book = status.steps.find((s) => s.name === 'book')!;
    expect(book.compensation).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTION_LIMIT' } });
    expect(book.compensation?.error?.message).toContain("Compensation of step 'book' was cut short 2 times");
  }, 60_000);
});
