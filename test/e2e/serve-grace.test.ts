/**
 * `serve` on SIGTERM keeps its HTTP API up through the grace period: a remote worker running a
 * step can still report its result (new work, registrations and polls get 503 meanwhile), and
 * the step's result is stored before the process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startCli } from './fixtures/cli-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'orch-serve-grace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = 'tok-serve-grace-123456';

describe('serve on SIGTERM with a remote step running', () => {
  it('lets the remote worker complete its task during the grace period', async () => {
    const file = join(dir, 'store.sqlite');
    const server = startCli(
      ['serve', '--port', '0', '--grace', '10', '--store', `sqlite:${file}`, '--remote-actions', 'stt'],
      { ORCHESTRATOR_API_TOKEN: TOKEN },
    );
    const url = (await server.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const registered = await post('/v1/remote-workers', { actions: ['stt'] });
    const { workerId } = (await registered.json()) as { workerId: string };
    expect((await post('/v1/workflows', { id: 'v', steps: [{ name: 's', action: 'stt' }] })).status).toBe(
      201,
    );
    const accepted = await post('/v1/workflows/v/executions', {});
    const { id } = (await accepted.json()) as { id: string };
    const polled = await post(`/v1/remote-workers/${workerId}/poll`, { waitSeconds: 10 });
    const { task } = (await polled.json()) as { task: { taskId: string } };

    server.child.kill('SIGTERM');
    // The health check answers 503 from the moment the orchestrator closes.
    while ((await fetch(`${url}/healthz`)).status !== 503) await new Promise((r) => setTimeout(r, 20));
    // Closing: no new work ...
    expect((await post('/v1/workflows/v/executions', {})).status).toBe(503);
    // ... but the running step may still report.
    const completed = await post(`/v1/remote-workers/${workerId}/tasks/${task.taskId}/complete`, {
      output: { text: 'hi' },
    });
    expect(completed.status).toBe(204);
    expect((await server.exited).code).toBe(0);

    const store = new SqliteStore(file);
    await store.init();
    const stored = await store.getExecution(id);
    await store.close();
    expect(stored?.execution.status).toBe('completed');
    expect(stored?.steps.find((s) => s.name === 's')?.output).toEqual({ text: 'hi' });
  });
});
