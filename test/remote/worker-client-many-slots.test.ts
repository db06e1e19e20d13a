/**
 * A remote worker with more than ten slots: every slot waits on the worker's stop signal (its poll,
 * its back-off), which is as many listeners as slots by design, not a leak; Node must not warn
 * "Possible EventTarget memory leak detected" for it in a worker's long run.
 */
import { afterEach, beforeEach, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { eventually, startServer, TOKEN } from './server.js';

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
beforeEach(() => {
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

it('polls with 64 slots, runs tasks and stops without a MaxListenersExceededWarning', async () => {
  const { url, orch, hub } = await startServer();
  const concurrency = 64;
  const worker = createRemoteWorker({ url, token: TOKEN, concurrency, actions: { echo: (input) => input } });
  onTestFinished(() => worker.stop());
  await worker.start();
  await eventually(() => hub.snapshot().workers[0]?.polling === concurrency, 'every slot polling', 20_000);
  const engine = orch.workflowEngine;
  await engine.defineWorkflow('w', [{ name: 'echo' }]);
  const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => engine.executeWorkflow('w', { i })));
  for (const id of ids)
    expect((await engine.waitForCompletion(id, { timeout: 20 })).status).toBe('completed');
  await worker.stop();
  // Warnings are emitted on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
});
