/**
 * stop() while a poll's answer is on its way: the node handed a task to the poll and wrote the
 * answer, but the worker stopped (aborting the poll) before reading it. The node counts the task
 * as the worker's; the deregistration then failed it with WORKER_LOST, so a step without `retry`
 * failed because a worker that never saw its task was stopped (a deploy). stop() now gives back,
 * before it deregisters, every task the node still lists as the worker's: the next poll, of
 * another worker, gets it as the same attempt. A TCP relay between worker and node holds back the
 * poll's answer to make the moment happen.
 */
import { connect, createServer, type Socket } from 'node:net';
import { expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { eventually, startServer, TOKEN } from './server.js';

/** A relay to `port`; `holdOpenConnections()` stops passing on the node's answers on the connections open now. */
async function relay(port: number): Promise<{ url: string; holdOpenConnections(): void }> {
  const held = new Set<Socket>();
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    open.add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!held.has(upstream)) client.write(chunk);
    });
    const close = () => {
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    holdOpenConnections: () => {
      for (const s of open) held.add(s);
    },
  };
}

it('gives back a task whose poll answer it never read, instead of failing its step', async () => {
  const { url, orch, hub } = await startServer({ hub: { leaseSeconds: 30, pollSeconds: 5 } });
  const { url: relayed, holdOpenConnections } = await relay(Number(new URL(url).port));
  const ran: string[] = [];
  const first = createRemoteWorker({
    url: relayed,
    token: TOKEN,
    name: 'first',
    actions: { job: () => ran.push('first') },
  });
  onTestFinished(() => first.stop());
  await first.start();
  await eventually(() => hub.snapshot().workers[0]?.polling === 1, 'the poll to wait');
  holdOpenConnections();
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
  const id = await orch.workflowEngine.executeWorkflow('w');
  await eventually(() => hub.snapshot().workers[0]?.tasks.length === 1, 'the task to be handed over');
  await first.stop();
  expect(ran).toEqual([]);
  expect(hub.snapshot()).toEqual({ workers: [], queued: { job: 1 } });

  const second = createRemoteWorker({ url, token: TOKEN, name: 'second', actions: { job: () => 'second' } });
  onTestFinished(() => second.stop());
  await second.start();
  const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
  expect(status.status).toBe('completed');
  expect(status.outputData).toEqual({ job: 'second' });
  expect(status.steps[0]?.attempts).toBe(1);
});
