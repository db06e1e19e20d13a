/**
 * docs/remote-workers.md, "Clusters: one queue per node": two `serve --remote-actions stt`
 * processes on one PostgreSQL schema and a TypeScript client given `urls: [...]` of both. The node
 * running the execution is killed (SIGKILL) while the worker holds its task: the other node takes
 * the execution over and runs the step again as a new task, which the same worker gets from that
 * node (next attempt, same idempotency key), and the execution completes there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRemoteWorker, type RemoteTaskContext } from '../../src/index.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { type RunningCli, startCli } from './fixtures/cli-harness.js';

const TOKEN = 'cluster-remote-test-token-0123';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a remote worker polling every node of a serve cluster', () => {
  it('gets the step again from the node that took over the execution of a killed node', async () => {
    await assertServerReachable();
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const dir = mkdtempSync(join(tmpdir(), 'serve-cluster-remote-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const steps = [{ name: 'transcribe_stt', action: 'stt', timeout: 60, retry: true }];
    writeFileSync(join(dir, 'voice.json'), JSON.stringify({ id: 'voice', steps }));

    const serve = (): RunningCli => {
      const proc = startCli(
        [
          'serve',
          '--store',
          `${PG_URL}?schema=${schema}`,
          '--port',
          '0',
          '--grace',
          '0',
          '--workflows',
          dir,
          '--remote-actions',
          'stt',
        ],
        { ORCHESTRATOR_API_TOKEN: TOKEN },
      );
      cleanups.push(() => {
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      });
      return proc;
    };
    const procs = [serve(), serve()];
    const urls = await Promise.all(
      procs.map(async (p) => (await p.waitFor(/listening on (http:\/\/\S+)/, 30_000))[1] ?? ''),
    );
    const call = async (base: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.ok, `${path}: ${res.status}`).toBe(true);
      return (await res.json()) as Record<string, unknown>;
    };
    const selfId = async (base: string) =>
      ((await call(base, '/v1/workers')).nodes as { id: string; self: boolean }[]).find((n) => n.self)?.id;
    const ids = await Promise.all(urls.map(selfId));

    // The worker: the first hand-over of the task hangs (until the worker stops); the next completes.
    const seen: RemoteTaskContext[] = [];
    const worker = createRemoteWorker({
      urls,
      token: TOKEN,
      concurrency: 2,
      actions: {
        stt: async (_input, ctx) => {
          seen.push(ctx);
          if (seen.length === 1)
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          return { text: 'hello', attempt: ctx.attempt };
        },
      },
    });
    await worker.start();
    cleanups.push(() => worker.stop());

    const { id } = (await call(urls[0] ?? '', '/v1/workflows/voice/executions', { input: {} })) as {
      id: string;
    };
    await until(async () => (seen.length === 1 ? true : undefined), 'the worker to get the first task');
    const owner = (await call(urls[0] ?? '', `/v1/executions/${id}`)).workerId as string;
    const doomed = ids.indexOf(owner);
    expect(doomed, `${owner} is one of ${ids.join(', ')}`).toBeGreaterThanOrEqual(0);
    const survivor = urls[1 - doomed] ?? '';
    procs[doomed]?.child.kill('SIGKILL');
    await procs[doomed]?.exited;

    const final = await until(async () => {
      const status = await call(survivor, `/v1/executions/${id}`);
      return status.status === 'completed' ? status : undefined;
    }, `execution ${id} to complete on the surviving node`);
    expect(final.workerId).toBe(ids[1 - doomed]);
    expect(final.outputData).toEqual({ transcribe_stt: { text: 'hello', attempt: 2 } });
    const [stt] = final.steps as { history: { error?: { code: string } }[] }[];
    expect(stt?.history.map((h) => h.error?.code)).toEqual(['INTERRUPTED', undefined]);
    expect(seen.map((c) => [c.executionId, c.attempt, c.idempotencyKey])).toEqual([
      [id, 1, `${id}:transcribe_stt`],
      [id, 2, `${id}:transcribe_stt`],
    ]);
  }, 60_000);
});
