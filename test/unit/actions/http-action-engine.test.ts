/**
 * The `http` action as the orchestrator registers it: `httpAllowlist` from the config reaches
 * it, a refused host fails the step at once (no retries even with `retry: true`), and a 5xx is
 * retried under the step's policy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../../src/index.js';
import { json, type LocalServer, startServer } from './local-server.js';

let server: LocalServer;
const open: Orchestrator[] = [];

beforeAll(async () => {
  server = await startServer({ '/ok': json(200, { ok: true }), '/down': json(503, { ok: false }) });
});
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function orchestrator(httpAllowlist?: string[]): Promise<Orchestrator> {
  const orch = await createOrchestrator({ store: 'memory', ...(httpAllowlist ? { httpAllowlist } : {}) });
  open.push(orch);
  await orch.workflowEngine.defineWorkflow('call', [
    { name: 'fetch', action: 'http', retry: { maxAttempts: 2, initialDelay: 0.01, maxDelay: 0.02 } },
  ]);
  return orch;
}

describe('http built-in in the engine', () => {
  it('is a built-in that user handlers cannot replace', async () => {
    const orch = await orchestrator();
    expect(orch.workflowEngine.listActions()).toContain('http');
    expect(() => orch.workflowEngine.registerAction('http', () => null)).toThrow(/built-in/);
  });

  it('reaches an allowlisted host and records the response as the step output', async () => {
    const orch = await orchestrator(['127.0.0.1']);
    const id = await orch.workflowEngine.executeWorkflow('call', { url: `${server.base}/ok` });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(status.outputData.fetch).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('fails a refused host once, with SSRF_BLOCKED, despite retry', async () => {
    const orch = await orchestrator();
    const id = await orch.workflowEngine.executeWorkflow('call', { url: `${server.base}/ok` });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'SSRF_BLOCKED', step: 'fetch' });
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it('fails a step whose header the HTTP client refuses once, not retried', async () => {
    const orch = await orchestrator(['127.0.0.1']);
    const id = await orch.workflowEngine.executeWorkflow('call', {
      url: `${server.base}/ok`,
      headers: { 'x-a': 'v\r\nx-injected: 1' },
    });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('VALIDATION');
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it('sends the step idempotency key in the header idempotencyHeader names, the same on every attempt', async () => {
    const orch = await orchestrator(['127.0.0.1']);
    const before = server.received.length;
    const id = await orch.workflowEngine.executeWorkflow('call', {
      url: `${server.base}/down`,
      method: 'POST',
      body: { charge: 42 },
      idempotencyHeader: 'Idempotency-Key',
    });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.steps[0]?.attempts).toBe(3);
    const keys = server.received.slice(before).map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([`${id}:fetch`, `${id}:fetch`, `${id}:fetch`]);
  });

  it('refuses an idempotencyHeader that is no header name, reserved, or also in headers', async () => {
    const orch = await orchestrator(['127.0.0.1']);
    for (const [input, message] of [
      [{ idempotencyHeader: 'bad header' }, 'is not a valid HTTP header name'],
      [{ idempotencyHeader: 'Content-Length' }, 'is set by the http action itself'],
      [{ idempotencyHeader: 'X-Key', headers: { 'x-key': 'mine' } }, 'is also given in input.headers'],
    ] as const) {
      const id = await orch.workflowEngine.executeWorkflow('call', { url: `${server.base}/ok`, ...input });
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(status.error?.code).toBe('VALIDATION');
      expect(status.error?.message).toContain(`input.idempotencyHeader: ${message}`);
      expect(status.steps[0]?.attempts).toBe(1);
    }
  });

  it('retries a 5xx under the step policy', async () => {
    const orch = await orchestrator(['127.0.0.1']);
    const id = await orch.workflowEngine.executeWorkflow('call', { url: `${server.base}/down` });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('HTTP_5XX');
    expect(status.steps[0]?.attempts).toBe(3);
  });
});
