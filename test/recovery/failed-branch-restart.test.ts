/**
 * A parallel branch that failed for good, killed (SIGKILL) before its execution's failure was
 * stored (SPEC §6): the step runs again after the restart as the same visit, under the same
 * idempotency key, never as a new visit (`<step>#2`) with a fresh retry budget; the execution
 * then fails with its error and compensates the steps that completed, newest first.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { runTsChild } from '../helpers/child.js';
import { saga } from './failed-branch-flow.js';

const root = mkdtempSync(join(tmpdir(), 'orch-failed-branch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a branch failed for good when the process was killed', () => {
  it('runs again under the same key after the restart, and the execution fails and compensates', async () => {
    const file = join(root, 'store.sqlite');
    const ledger = join(root, 'ledger.txt');
    const child = await runTsChild(join(import.meta.dirname, 'failed-branch-child.ts'), [file, ledger]);
    expect(child.signal, child.out).toBe('SIGKILL');
    const before = readFileSync(ledger, 'utf8');
    // The kill came as the failure was about to be written, after p2's failure had been.
    expect(before).toContain('call p2 2 ');
    expect(before).toMatch(/kill before .*p2=failed/);

    const orch = await createOrchestrator({ store: `sqlite:${file}`, ...saga(ledger) });
    try {
      const [execution] = await orch.workflowEngine.listExecutions();
      const status = await orch.workflowEngine.waitForCompletion(execution!.id, { timeout: 5 });
      expect(status.status).toBe('failed');
      expect(status.error).toMatchObject({ message: 'p2 fails', step: 'p2' });
      expect(status.compensatedSteps).toEqual(['p1', 'a']);
      const id = status.id;
      const lines = readFileSync(ledger, 'utf8').split('\n');
      const p2Keys = new Set(lines.filter((l) => l.startsWith('call p2 ')).map((l) => l.split(' ')[3]));
      expect([...p2Keys]).toEqual([`${id}:p2`]);
      const comps = lines.filter((l) => l.startsWith('comp '));
      expect(comps).toEqual([`comp p1 1 ${id}:p1:compensate`, `comp a 1 ${id}:a:compensate`]);
    } finally {
      await orch.close();
    }
  });
});
