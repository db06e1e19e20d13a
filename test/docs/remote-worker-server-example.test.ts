/**
 * Runs the library setup of docs/remote-workers.md ("Setting up the server side") as written, on a
 * SQLite file, twice in a row as a restart: a step of a declared remote action waits for its
 * worker instead of failing with `ACTION_NOT_FOUND`, also when its execution is resumed by the
 * second start before any worker is back, and a worker that registers then serves it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Orchestrator, RemoteWorkerHub } from '../../src/index.js';
import { jsonRequest } from '../helpers/json-http.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = readFileSync(join(ROOT, 'docs/remote-workers.md'), 'utf8');
const SECTION = PAGE.slice(PAGE.indexOf('## Setting up the server side'));
const SAMPLE = /```ts\n([\s\S]*?)```/.exec(SECTION)?.[1] ?? '';
const INDEX = pathToFileURL(join(ROOT, 'src/index.ts')).href;
const TOKEN = 'docs-server-sample-token';

interface Started {
  hub: RemoteWorkerHub;
  orch: Orchestrator;
  app: FastifyInstance;
}

const globals = globalThis as Record<string, unknown>;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("docs/remote-workers.md's server-side library sample, run", () => {
  it('keeps a resumed remote step waiting for its worker across a restart', async () => {
    expect(SAMPLE).toContain("hub.actions(['stt', 'tts'])");
    expect(SAMPLE).toContain("store: 'sqlite:./data/orchestrator.sqlite'");
    expect(SAMPLE).toContain('await app.listen({ port: 8080 });');
    const dir = mkdtempSync(join(tmpdir(), 'remote-server-example-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const code = SAMPLE.replaceAll("from 'orchestrator'", `from '${INDEX}'`)
      .replace('sqlite:./data/orchestrator.sqlite', `sqlite:${join(dir, 'orchestrator.sqlite')}`)
      .replace('{ port: 8080 }', "{ port: 0, host: '127.0.0.1' }");
    globals.localActions = {};
    cleanups.push(() => {
      delete globals.localActions;
    });
    const token = process.env.ORCHESTRATOR_API_TOKEN;
    process.env.ORCHESTRATOR_API_TOKEN = TOKEN;
    cleanups.push(() => {
      if (token === undefined) delete process.env.ORCHESTRATOR_API_TOKEN;
      else process.env.ORCHESTRATOR_API_TOKEN = token;
    });
    /** One start of the sample (a fresh module: a new process, as far as the sample can tell). */
    const start = async (n: number): Promise<Started & { url: string }> => {
      const file = join(dir, `server-${n}.ts`);
      writeFileSync(file, `${code}\nexport { hub, orch, app };\n`);
      const started = (await import(pathToFileURL(file).href)) as Started;
      cleanups.push(() => started.orch.close());
      cleanups.push(() => started.app.close());
      const address = started.app.server.address();
      if (!address || typeof address === 'string') throw new Error('the sample does not listen');
      return { ...started, url: `http://127.0.0.1:${address.port}` };
    };
    const api = (url: string, method: string, path: string, body?: unknown) =>
      jsonRequest<Record<string, unknown> | null>(TOKEN, url, method, path, body);
    const queuedStt = async (hub: RemoteWorkerHub) => {
      for (let i = 0; i < 500 && !hub.snapshot().queued.stt; i++) await new Promise((r) => setTimeout(r, 10));
      return hub.snapshot().queued.stt;
    };

    // First start: no worker yet; the step waits in the queue.
    const first = await start(1);
    const steps = [{ name: 'transcribe_stt', action: 'stt', timeout: 60, retry: true }];
    expect((await api(first.url, 'POST', '/v1/workflows', { id: 'voice', steps })).status).toBe(201);
    const input = { audioUrl: 'https://example.com/hello.wav' };
    const started = await api(first.url, 'POST', '/v1/workflows/voice/executions', { input });
    expect(started.status).toBe(202);
    const id = started.body?.id as string;
    expect(await queuedStt(first.hub)).toBe(1);
    await first.app.close();
    await first.orch.close();

    // Second start: the execution is resumed before any worker registers, and waits again.
    const second = await start(2);
    expect(await queuedStt(second.hub)).toBe(1);
    expect((await api(second.url, 'GET', `/v1/executions/${id}`)).body).toMatchObject({ status: 'running' });

    // A worker registers, polls, completes: the execution ends with its output.
    const reg = await api(second.url, 'POST', '/v1/remote-workers', { name: 'stt-gpu-1', actions: ['stt'] });
    expect(reg.status).toBe(201);
    const w = reg.body?.workerId as string;
    const polled = await api(second.url, 'POST', `/v1/remote-workers/${w}/poll`, { waitSeconds: 5 });
    expect(polled.status).toBe(200);
    const task = polled.body?.task as { taskId: string; executionId: string; input: unknown };
    expect(task).toMatchObject({ executionId: id, input });
    const done = await api(second.url, 'POST', `/v1/remote-workers/${w}/tasks/${task.taskId}/complete`, {
      output: { text: 'hello' },
    });
    expect(done.status).toBe(204);
    const final = await second.orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(final.status).toBe('completed');
    expect(final.outputData).toEqual({ transcribe_stt: { text: 'hello' } });
  });
});
