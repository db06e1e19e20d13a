/**
 * A fake orchestrator node for remote-worker client tests: a plain `http` server that registers
 * the worker as `rw_1`, hands out {@link sampleTask} at the first poll, and answers every other
 * request as the test says. It records each task report (path and parsed body) and counts
 * requests by their last path segment (`remote-workers`, `poll`, `heartbeat`, `complete`, …).
 * @module
 */
import { createServer } from 'node:http';
import { listenForTest } from './listen.js';
import { sampleTask } from './sample-task.js';

/** An answer: a status and an optional JSON body. */
export type NodeReply = readonly [status: number, body?: unknown];

/** Leave the request unanswered (a stalled node, a proxy holding it) until the client gives up. */
export const HANG = 'hang';

export interface OneTaskNode {
  url: string;
  /** Every request under `/tasks/`, in order of arrival. */
  reports: { path: string; body: unknown }[];
  /** Requests by the last segment of their path. */
  count: Map<string, number>;
  /** Requests left unanswered ({@link HANG}) that the client closed, by the last segment of their path. */
  dropped: Map<string, number>;
}

/**
 * Starts the node. `answer(route)` decides every request other than the registration and the
 * hand-out (`route` is the path's last segment); `undefined` answers 204, as an empty poll does,
 * and {@link HANG} never answers.
 */
export async function oneTaskNode(
  answer: (route: string) => NodeReply | typeof HANG | undefined = () => undefined,
  leaseSeconds = 30,
): Promise<OneTaskNode> {
  let handed = false;
  const reports: OneTaskNode['reports'] = [];
  const count = new Map<string, number>();
  const dropped = new Map<string, number>();
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      const route = path.split('/').at(-1) ?? '';
      count.set(route, (count.get(route) ?? 0) + 1);
      const reply = ([status, body]: NodeReply) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (path === '/v1/remote-workers')
        return reply([201, { workerId: 'rw_1', leaseSeconds, pollSeconds: 1 }]);
      if (route === 'poll' && !handed) {
        handed = true;
        return reply([200, { task: sampleTask }]);
      }
      if (path.includes('/tasks/')) reports.push({ path, body: text ? JSON.parse(text) : undefined });
      const answered = answer(route);
      if (answered === HANG) {
        res.once('close', () => dropped.set(route, (dropped.get(route) ?? 0) + 1));
        return;
      }
      reply(answered ?? [204]);
    });
  });
  return { url: await listenForTest(server), reports, count, dropped };
}

/** A logger for `createRemoteWorker` that keeps its warnings (object and message) and drops the rest. */
export function recordingLogger() {
  const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
  return {
    warnings,
    logger: {
      info() {},
      debug() {},
      error() {},
      warn: (obj: object, msg?: string) => warnings.push({ obj: obj as never, msg }),
    },
  };
}
