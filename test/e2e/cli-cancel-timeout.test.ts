/**
 * `orchestrator cancel --timeout` of an orphan it takes over: the wait ends at the timeout even
 * while a compensation is still running, and the execution stays in the store to finish later.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, type ExecutionStatus } from '../../src/index.js';
import { gate, silentLogger, untilAborted } from '../helpers/orchestrator.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

describe('orchestrator cancel --timeout of an orphan', () => {
  it('stops waiting at the timeout while its compensation hangs (exit 1, left compensating)', async () => {
    const held = gate();
    const owner = await createOrchestrator({
      store: store.url,
      logger: silentLogger,
      actions: {
        a: () => 'a',
        hold: (_input, ctx) => {
          held.open();
          return untilAborted(ctx.signal);
        },
      },
      compensations: { undo: () => undefined },
    });
    await owner.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo' }, { name: 'hold' }]);
    const id = await owner.workflowEngine.executeWorkflow('w');
    await held.promise;
    // Closed: the execution is left running with no owner, for `cancel` to take over.
    await owner.close();

    const started = Date.now();
    const r = await cli([
      '--json',
      'cancel',
      id,
      '--store',
      store.url,
      '--handlers',
      'test/e2e/fixtures/hanging-compensation-handlers.ts',
      '--timeout',
      '1',
    ]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code, r.stderr).toBe(1);
    const report = parseJson<{ cancelled: boolean; via: string; status: ExecutionStatus }>(r.stdout);
    expect(report).toMatchObject({ id, cancelled: false, via: 'takeover' });
    expect(report.status.status).toBe('compensating');
    expect(r.stderr).toContain(
      `not cancelled: execution ${id} is not cancelled after 1s; the request stays in the store and the next orchestrator that opens it finishes the cancel`,
    );

    // The cancel request stays stored: the next orchestrator finishes the saga.
    const next = await createOrchestrator({
      store: store.url,
      logger: silentLogger,
      actions: { a: () => 'a', hold: () => 'held' },
      compensations: { undo: () => undefined },
    });
    try {
      const end = await next.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(end).toMatchObject({ status: 'cancelled', compensatedSteps: ['a'] });
    } finally {
      await next.close();
    }
  }, 30_000);
});
