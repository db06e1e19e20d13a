/**
 * Runs the TypeScript client sample of docs/remote-workers.md as written, against a service on
 * the memory store, and checks what the page says of it: its `stt` handler serves the step with
 * the task's idempotency key, an input that is not https fails the step at once with `BAD_URL`,
 * and the SIGTERM listener it adds stops the worker, which deregisters.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, createOrchestrator } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = readFileSync(join(ROOT, 'docs/remote-workers.md'), 'utf8');
const CLIENT = [...PAGE.matchAll(/^```ts\n([\s\S]*?)^```/gm)]
  .map((m) => m[1] ?? '')
  .filter((code) => code.includes('createRemoteWorker({'));
const INDEX = pathToFileURL(join(ROOT, 'src/index.ts')).href;
const WORKER = pathToFileURL(join(ROOT, 'src/worker.ts')).href;
const TOKEN = 'docs-sample-token';

const globals = globalThis as Record<string, unknown>;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("docs/remote-workers.md's TypeScript client sample, run", () => {
  it('serves the step, refuses a non-https input for good, and stops on SIGTERM', async () => {
    expect(CLIENT).toHaveLength(1);
    const orch = await createOrchestrator({ store: 'memory' });
    cleanups.push(() => orch.close());
    const app = await buildApp(orch, { token: TOKEN });
    cleanups.push(() => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });

    const dir = mkdtempSync(join(tmpdir(), 'remote-worker-example-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'client.ts');
    const code = CLIENT[0] ?? '';
    expect(code).toContain("url: 'http://127.0.0.1:8080'");
    writeFileSync(
      file,
      `${code
        .replaceAll("from 'orchestrator/worker'", `from '${WORKER}'`)
        .replaceAll("from 'orchestrator'", `from '${INDEX}'`)
        .replace('http://127.0.0.1:8080', url)}\nexport {};\n`,
    );
    const before = new Set(process.listeners('SIGTERM'));
    globals.transcribe = async (audioUrl: string, { idempotencyKey }: { idempotencyKey: string }) => ({
      text: `transcript of ${audioUrl}`,
      idempotencyKey,
    });
    cleanups.push(() => {
      delete globals.transcribe;
    });
    const token = process.env.ORCHESTRATOR_API_TOKEN;
    process.env.ORCHESTRATOR_API_TOKEN = TOKEN;
    try {
      await import(pathToFileURL(file).href); // registers and starts polling
    } finally {
      if (token === undefined) delete process.env.ORCHESTRATOR_API_TOKEN;
      else process.env.ORCHESTRATOR_API_TOKEN = token;
    }
    const added = process.listeners('SIGTERM').filter((l) => !before.has(l));
    expect(added).toHaveLength(1);
    const onSigterm = added[0] as () => void;
    cleanups.push(() => {
      process.off('SIGTERM', onSigterm);
    });

    const engine = orch.workflowEngine;
    await engine.defineWorkflow('voice', [
      { name: 'transcribe_stt', action: 'stt', timeout: 60, retry: true },
    ]);
    const ok = await engine.waitForCompletion(
      await engine.executeWorkflow('voice', { audioUrl: 'https://example.com/hello.wav' }),
      { timeout: 10 },
    );
    expect(ok.status).toBe('completed');
    expect(ok.outputData.transcribe_stt).toEqual({
      text: 'transcript of https://example.com/hello.wav',
      idempotencyKey: `${ok.id}:transcribe_stt`,
    });
    const refused = await engine.waitForCompletion(
      await engine.executeWorkflow('voice', { audioUrl: 'http://example.com/hello.wav' }),
      { timeout: 10 },
    );
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatchObject({ code: 'BAD_URL', message: 'https only' });
    expect(refused.steps[0]?.attempts).toBe(1); // NonRetryableError: no retry despite retry: true

    onSigterm(); // worker.stop({ grace: 30 }): nothing runs, so it deregisters at once
    const listed = async () => {
      const res = await fetch(`${url}/v1/remote-workers`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return ((await res.json()) as { workers: unknown[] }).workers.length;
    };
    for (let i = 0; i < 200 && (await listed()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await listed()).toBe(0);
  });
});
