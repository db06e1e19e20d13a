/**
 * A logger that throws (its destination closed, a bug in a custom logger) must not change what
 * the engine does: every report is made where the engine already decided what to do next, and a
 * throw out of it would skip that (here: giving up an execution after a failed store write, so
 * that a later round takes it up again).
 */
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe('a logger that throws', () => {
  it('does not keep an execution whose store write failed from being taken up again and completing', async () => {
    const clock = new FakeClock();
    const reports: string[] = [];
    const throwing = (_obj: object, msg?: string) => {
      reports.push(msg ?? '');
      throw new Error('log destination closed');
    };
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      clock,
      sweepInterval: 1,
      logger: { debug: throwing, info: throwing, warn: throwing, error: throwing },
      actions: { quick: () => 'ok' },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'quick' }]);
    let down = true;
    const update = orch.store.update.bind(orch.store);
    vi.spyOn(orch.store, 'update').mockImplementation((u) =>
      down ? Promise.reject(new Error('connection lost')) : update(u),
    );
    const id = await orch.workflowEngine.executeWorkflow('w');
    await vi.waitFor(() => expect(reports).toContain('store write failed; execution will be resumed'));
    down = false;
    await vi.waitFor(
      async () => {
        await clock.advance(1_000);
        expect((await orch.store.getExecution(id))?.execution.status).toBe('completed');
      },
      { timeout: 3_000, interval: 20 },
    );
    expect(orch.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
  });

  it('is what orch.logger calls, without its throws', () => {
    const calls: string[] = [];
    const logger = {
      debug: () => calls.push('debug'),
      info: () => calls.push('info'),
      warn: () => {
        throw new Error('closed');
      },
      error: () => calls.push('error'),
    };
    return withOrchestrator({ store: 'memory', logger }).then((orch) => {
      orch.logger.info({}, 'a');
      expect(() => orch.logger.warn({}, 'b')).not.toThrow();
      orch.logger.error({}, 'c');
      expect(calls).toEqual(['info', 'error']);
    });
  });

  it("follows the logger's level when it changes after the start (pino replaces its methods)", async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'silent' }, { write: (line: string) => lines.push(line) });
    const orch = await withOrchestrator({
      store: 'memory',
      logger,
      actions: { quick: () => 'ok' },
      on: {
        'execution.finished': () => {
          throw new Error('listener bug');
        },
      },
    });
    // Turned up at run time (an admin endpoint, a signal handler): the engine's reports follow.
    logger.level = 'error';
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'quick' }]);
    await orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('w'));
    await vi.waitFor(() => expect(lines.join('')).toContain('event listener threw'));
  });
});
