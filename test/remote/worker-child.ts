/**
 * A remote worker in its own process, for the kill -9 test. It serves `stt`, announces each
 * task it takes on stdout (one JSON line) and then holds it forever, heartbeating, until the
 * parent kills it. Imports only the worker client: no server code.
 */
import { createRemoteWorker } from '../../src/remote/worker-client.js';

const [url, token] = process.argv.slice(2);
if (!url || !token) throw new Error('usage: worker-child <url> <token>');

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const worker = createRemoteWorker({
  url,
  token,
  name: 'child',
  actions: {
    stt: (_input, ctx) => {
      say({ event: 'holding', taskId: ctx.taskId, attempt: ctx.attempt, key: ctx.idempotencyKey });
      return new Promise(() => undefined);
    },
  },
});
await worker.start();
say({ event: 'registered', workerId: worker.registrations[0]?.workerId, pid: process.pid });
