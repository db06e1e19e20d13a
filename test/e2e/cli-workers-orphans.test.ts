/**
 * `orchestrator workers` on a store no node is registered in said "no process holds unfinished
 * executions" above a table counting one running execution under its stored worker (left running
 * by a process that ended). It now says that no live process runs those executions and that they
 * resume when an orchestrator opens the store.
 */
import { describe, expect, it } from 'vitest';
import { cli, seededStore } from './fixtures/cli-harness.js';

describe('orchestrator workers with no node registered', () => {
  it('says that no live process runs the executions counted under ACTIVE', async () => {
    const url = await seededStore([
      { id: 'left', status: 'running', workerId: 'worker_gone', createdAt: Date.now() },
    ]);
    const r = await cli(['workers', '--store', url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/worker_gone\s+1\s/);
    expect(r.stdout).toContain(
      "No node is registered: no live process runs the 1 execution counted under ACTIVE below; it resumes when an orchestrator that has its steps' actions opens this store.",
    );
    expect(r.stdout).not.toContain('no process holds unfinished executions');
  });
});
