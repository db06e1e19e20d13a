/**
 * A write that fails while the node shuts down (the database went away as it closed) leaves the
 * execution to be resumed from what is stored, and says so: it does not claim that another node
 * took the execution over.
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { gate, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe('a write failing during shutdown', () => {
  it('is not reported as a lost lease', async () => {
    const warnings: string[] = [];
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      clock: new FakeClock(),
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: (_obj, msg) => warnings.push(msg ?? ''),
        error: (_obj, msg) => warnings.push(msg ?? ''),
      },
      actions: { quick: () => 'ok' },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'quick' }]);
    const { store } = orch;
    // The step's result is being written when the node starts closing; then that write fails.
    const failWrite = gate();
    const writing = gate();
    vi.spyOn(store, 'update').mockImplementation(async () => {
      writing.open();
      await failWrite.promise;
      throw new Error('Connection terminated unexpectedly');
    });
    await orch.workflowEngine.executeWorkflow('w');
    await writing.promise;
    const closed = orch.close();
    // The shutdown stops the execution (no I/O before that), then its write fails.
    await new Promise((resolve) => setImmediate(resolve));
    failWrite.open();
    await closed;
    expect(warnings).not.toContain('lease lost; another node runs this execution now');
    expect(warnings).toContain('store failed during shutdown; the execution resumes from what is stored');
  });
});
