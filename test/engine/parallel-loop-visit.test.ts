/**
 * A parallel step entered again by a jump starts a new visit of every branch. The new visit's
 * branch records are stored together with the step's own: an execution taken up again from the
 * store (after a crash, or after a failed write) between the step's write and a branch's runs that
 * branch's new visit, under its new idempotency key, instead of counting it as completed by the
 * previous visit.
 */
import { describe, expect, it, vi } from 'vitest';
import type { StepRecord } from '../../src/store/store.js';
import { silentLogger, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

const visit = (steps: StepRecord[] | undefined, name: string, visits: number, status: string) =>
  steps?.some((s) => s.name === name && s.visits === visits && s.status === status) ?? false;

describe('a parallel step in a loop, taken up again from the store', () => {
  it('runs each branch of the new visit, not only those whose record was written', async () => {
    let counted = 0;
    const keys: string[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      sweepInterval: 0.05,
      leaseSeconds: 1,
      logger: silentLogger,
      actions: {
        count: () => ({ n: ++counted }),
        work: async (_input, ctx) => {
          keys.push(ctx.idempotencyKey);
          // The second visit's first run is still working when its execution is given up.
          if (keys.length === 2) await untilAborted(ctx.signal);
          return ctx.idempotencyKey;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('loop', [
      { name: 'count' },
      {
        name: 'fan',
        parallel: [
          { name: 'wait', action: 'delay', input: "{'seconds': 0.05}" },
          { name: 'work', action: 'work' },
        ],
      },
      // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
      { name: 'again', condition: 'steps.count.output.n < 2', then: 'count' },
    ]);
    // In the second visit: the write that says `work` started fails (it is only logged), then the
    // write of `wait`'s completion fails, so the node gives the execution up and takes it up again
    // from what the store holds.
    let failStart = 1;
    let failEnd = 1;
    const update = orch.store.update.bind(orch.store);
    vi.spyOn(orch.store, 'update').mockImplementation((u) => {
      if (failStart > 0 && visit(u.steps, 'work', 2, 'running') && !visit(u.steps, 'wait', 2, 'running')) {
        failStart--;
        return Promise.reject(new Error('connection lost'));
      }
      if (failEnd > 0 && visit(u.steps, 'wait', 2, 'completed')) {
        failEnd--;
        return Promise.reject(new Error('connection lost'));
      }
      return update(u);
    });
    const id = await orch.workflowEngine.executeWorkflow('loop');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect([failStart, failEnd]).toEqual([0, 0]);
    expect(status.status).toBe('completed');
    // The second visit's run cut short by the give-up, then its rerun, under the visit's key.
    expect(keys).toEqual([`${id}:work`, `${id}:work#2`, `${id}:work#2`]);
    expect(status.outputData.fan).toEqual({ wait: expect.anything(), work: `${id}:work#2` });
  });
});
