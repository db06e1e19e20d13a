/**
 * The remote-worker protocol is machine traffic, like scrapes and probes: a poll, a heartbeat and
 * a report per step. At `serve`'s default level (info) it stays out of the log, so the log does
 * not grow by a few lines per remote step under load; registration, deregistration and failures
 * are still logged.
 */
import { Writable } from 'node:stream';
import { expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { createServerLogger } from '../../src/server/logger.js';
import { startServer, TOKEN } from './server.js';

interface Line {
  level: number;
  msg: string;
  req?: { url?: string };
}

it('logs no line per remote step at info, and still logs the registration', async () => {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const server = await startServer({ app: { logger: createServerLogger({ level: 'info', destination }) } });
  const engine = server.orch.workflowEngine;
  await engine.defineWorkflow(
    'w',
    Array.from({ length: 20 }, (_, i) => ({ name: `s${i}`, action: 'echo_remote' })),
  );
  const worker = createRemoteWorker({
    url: server.url,
    token: TOKEN,
    name: 'w1',
    actions: { echo_remote: (input) => input },
  });
  onTestFinished(() => worker.stop());
  await worker.start();
  expect(lines.some((l) => l.req?.url === '/v1/remote-workers')).toBe(true);

  const before = lines.length;
  const id = await engine.executeWorkflow('w', {});
  expect((await engine.waitForCompletion(id, { timeout: 20 })).status).toBe('completed');
  expect(lines.slice(before)).toEqual([]);
});
