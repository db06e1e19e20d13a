/**
 * The alert webhook: alerts arrive as JSON at a local receiver (loopback is fine: the URL is
 * the operator's), delivery never blocks, failures and timeouts are logged with the origin
 * only, and a flood beyond the in-flight cap is dropped.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOrchestrator, type Orchestrator, ValidationError } from '../../src/index.js';
import { createAlertWebhook, webhookOrigin } from '../../src/server/alert-webhook.js';
import { memoryLogger } from '../helpers/orchestrator.js';
import { sampleAlert as alert } from '../helpers/sample-alert.js';
import { type LocalServer, startServer } from '../unit/actions/local-server.js';

const servers: LocalServer[] = [];
const orchestrators: Orchestrator[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(orchestrators.splice(0).map((o) => o.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('alert webhook', () => {
  it('POSTs alerts from the orchestrator as JSON', async () => {
    const receiver = await startServer({ '/hook': (_req, res) => res.writeHead(204).end() });
    servers.push(receiver);
    const logger = memoryLogger();
    const webhook = createAlertWebhook({ url: `${receiver.base}/hook?token=abc`, logger });
    const orch = await createOrchestrator({
      store: 'memory',
      actions: { fail: () => Promise.reject(new Error('x')) },
      alerts: { failureRate: 0.1, minSamples: 1 },
    });
    orchestrators.push(orch);
    orch.on('alert', (a) => webhook.send(a));
    await orch.workflowEngine.defineWorkflow('broken', [{ name: 'fail' }]);
    await orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('broken'));
    await webhook.flush();
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hook?token=abc');
    expect(got.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got.body)).toMatchObject({ type: 'failure_rate', workflowId: 'broken' });
    expect(logger.lines.filter((l) => l.msg?.includes('webhook'))).toEqual([]);
  });

  it('sends without waiting and logs failures with the origin only', async () => {
    const receiver = await startServer({ '/hook': (_req, res) => res.writeHead(500).end() });
    servers.push(receiver);
    const logger = memoryLogger();
    const url = `http://user:pa55@127.0.0.1:${receiver.port}/hook/s3cret-path?key=k3y`;
    const webhook = createAlertWebhook({ url, logger });
    webhook.send(alert);
    expect(receiver.received).toHaveLength(0);
    await webhook.flush();
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body)).toEqual({ ...alert, at: '2026-01-02T03:04:05.000Z' });
    expect(receiver.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('user:pa55').toString('base64')}`,
    );
    const logged = JSON.stringify(logger.lines);
    expect(logged).toContain('alert webhook refused');
    expect(logged).toContain(`http://127.0.0.1:${receiver.port}`);
    expect(logged).not.toMatch(/pa55|s3cret|k3y|user/);
    expect(webhookOrigin(url)).toBe(`http://127.0.0.1:${receiver.port}`);
  });

  it('times out a receiver that never answers, and drops alerts beyond the in-flight cap', async () => {
    const receiver = await startServer({ '/hook': () => undefined });
    servers.push(receiver);
    const logger = memoryLogger();
    const webhook = createAlertWebhook({
      url: `${receiver.base}/hook`,
      logger,
      timeoutMs: 100,
      maxInFlight: 2,
    });
    const timeouts = vi.spyOn(AbortSignal, 'timeout');
    // `send` hands each alert off and returns at once: no delivery has ended when the sends are done.
    for (let i = 0; i < 5; i++) expect(webhook.send(alert)).toBeUndefined();
    expect(webhook.dropped).toBe(3);
    expect(logger.lines.map((l) => l.msg).filter((m) => m === 'alert webhook failed')).toEqual([]);
    await webhook.flush();
    // Each request that went out was given the configured timeout, not the 5 s default.
    expect(timeouts.mock.calls).toEqual([[100], [100]]);
    const messages = logger.lines.map((l) => l.msg);
    expect(messages.filter((m) => m === 'alert webhook failed')).toHaveLength(2);
    expect(messages.filter((m) => m === 'alert webhook busy; alert dropped')).toHaveLength(3);
    expect(JSON.stringify(logger.lines)).toContain('"error":"timeout"');
  });

  it('follows no redirect: a 3xx is logged as refused, with its status, and nothing is sent on', async () => {
    const receiver = await startServer({
      '/hook': (_req, res) => res.writeHead(302, { location: '/elsewhere?key=k3y' }).end(),
      '/elsewhere': (_req, res) => res.writeHead(204).end(),
    });
    servers.push(receiver);
    const logger = memoryLogger();
    const webhook = createAlertWebhook({ url: `http://user:pa55@127.0.0.1:${receiver.port}/hook`, logger });
    webhook.send(alert);
    await webhook.flush();
    expect(receiver.received.map((r) => r.url)).toEqual(['/hook']);
    expect(logger.lines.map((l) => l.msg)).toEqual(['alert webhook refused']);
    expect(logger.lines[0]?.obj).toMatchObject({ status: 302, alert: alert.type });
    expect(JSON.stringify(logger.lines)).not.toMatch(/pa55|k3y|user/);
  });

  it('logs a receiver that is down', async () => {
    const gone = await startServer({});
    await gone.close();
    const logger = memoryLogger();
    const webhook = createAlertWebhook({
      url: `http://user:pa55@127.0.0.1:${gone.port}/hook/s3cret-path?key=k3y`,
      logger,
    });
    webhook.send(alert);
    await webhook.flush();
    expect(logger.lines.map((l) => l.msg)).toEqual(['alert webhook failed']);
    expect(JSON.stringify(logger.lines)).not.toMatch(/pa55|s3cret|k3y|user/);
    // Why it failed, not fetch's bare 'fetch failed' (the reason is in its cause).
    expect(logger.lines[0]?.obj).toMatchObject({ error: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses URLs that are not http(s)', () => {
    const logger = memoryLogger();
    expect(() => createAlertWebhook({ url: 'not a url', logger })).toThrow(/absolute http/);
    expect(() => createAlertWebhook({ url: 'file:///tmp/x', logger })).toThrow(/scheme 'file:'/);
  });

  it('refuses a port fetch never connects to (every delivery failed with "bad port")', () => {
    const logger = memoryLogger();
    for (const port of [6000, 6667, 25]) {
      expect(
        () => createAlertWebhook({ url: `http://127.0.0.1:${port}/hook`, logger }),
        String(port),
      ).toThrow(`alertWebhook: Expected a port fetch connects to, got ${port}, which it refuses`);
    }
    // The default ports, and others, are fine.
    for (const url of [
      'http://127.0.0.1/hook',
      'https://hooks.example:443/x',
      'http://127.0.0.1:6001/hook',
    ]) {
      expect(() => createAlertWebhook({ url, logger }), url).not.toThrow();
    }
  });

  it('refuses a malformed %-escape in the URL credentials with a ValidationError that does not echo them', () => {
    let thrown: unknown;
    try {
      createAlertWebhook({ url: 'http://hook:%zz@127.0.0.1:9/alerts', logger: memoryLogger() });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(JSON.stringify((thrown as ValidationError).issues) + (thrown as Error).message).not.toContain(
      '%zz',
    );
  });
});
