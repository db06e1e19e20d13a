/**
 * The remote worker's `logger`: one that is no logger is refused by name when the worker is
 * created (it used to fail at the first report, `start()` rejecting with a bare TypeError after
 * registering), and one whose reports throw (a closed destination) changes nothing the worker does.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { createRemoteWorker } from '../../src/index.js';
import { startServer, TOKEN } from './server.js';

const throwing = () => {
  throw new Error('log destination closed');
};

describe('createRemoteWorker logger', () => {
  it.each([['console'], [{}], [null]])('refuses a logger that is no logger (%j), naming it', (logger) => {
    const create = () =>
      createRemoteWorker({
        url: 'http://127.0.0.1:9',
        token: TOKEN,
        actions: { a: () => 1 },
        logger,
      } as never);
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(/logger: Expected `logger` to be a logger with info\/warn\/error\/debug/);
  });

  it('starts and serves although every report of its logger throws', async () => {
    const { url, orch } = await startServer();
    const w = createRemoteWorker({
      url,
      token: TOKEN,
      actions: { job: () => 'served' },
      logger: { info: throwing, warn: throwing, error: throwing, debug: throwing },
    });
    onTestFinished(() => w.stop());
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.outputData).toEqual({ job: 'served' });
  });
});
