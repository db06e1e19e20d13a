/**
 * A remote handler's output array whose length alone is over what the node stores (64 MiB of
 * JSON text) fails its step with OUTPUT_TOO_LARGE at once, its items never read: the worker used
 * to walk every item, then build the JSON text — for `new Array(2 ** 32 - 1)` (no memory, 20 GB of
 * JSON) minutes of a busy slot while its lease ran out. The array here counts the items read.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { startServer, TOKEN } from './server.js';

describe('a remote output too long to send', () => {
  it('fails the step with OUTPUT_TOO_LARGE without reading its items', async () => {
    let reads = 0;
    const list = new Proxy(new Array<unknown>(20_000_000), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const { url, orch } = await startServer();
    const w = createRemoteWorker({ url, token: TOKEN, actions: { big: () => ({ list }) } });
    onTestFinished(() => w.stop());
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'big' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 20 });
    expect(status.error).toEqual({
      code: 'OUTPUT_TOO_LARGE',
      message: 'output is too large to store: more than 128 MiB of JSON text, over the limit of 64 MiB',
      step: 'big',
    });
    expect(reads).toBe(0);
  });
});
