/**
 * The `http` action's failures are stored with the execution (its error, each step's and
 * attempt's), emitted in events and shown by status, the CLI and the dashboard: none may repeat
 * the credentials or the query of the URL the step was given (README: its errors name a URL by
 * its scheme, host, port and path), nor a header's value, whichever way the call fails.
 */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../../src/index.js';
import { memoryLogger } from '../../helpers/orchestrator.js';
import { type LocalServer, startServer } from '../actions/local-server.js';

const SECRET = 'Qz9SecretValue';
let server: LocalServer;
const open: Orchestrator[] = [];

beforeAll(async () => {
  server = await startServer({
    '/down': (_req, res) => res.writeHead(503).end(),
    '/loop': (req, res) => res.writeHead(302, { location: req.url ?? '/loop' }).end(),
    '/slow': () => undefined,
  });
});
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** What leaves the process about a failed call: the errors of the status, events and log lines. */
async function failedCall(input: Record<string, unknown>): Promise<{ code: string; text: string }> {
  const logger = memoryLogger();
  const orch = await createOrchestrator({ store: 'memory', logger, httpAllowlist: ['127.0.0.1'] });
  open.push(orch);
  const events: unknown[] = [];
  for (const name of ['step.failed', 'execution.failed', 'execution.finished', 'alert'] as const) {
    orch.on(name, (e: unknown) => events.push(e));
  }
  await orch.workflowEngine.defineWorkflow('call', [{ name: 'fetch', action: 'http', timeout: 5 }]);
  const id = await orch.workflowEngine.executeWorkflow('call', input);
  const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
  expect(status.status).toBe('failed');
  const errors = [
    status.error,
    ...status.steps.flatMap((s) => [s.error, ...(s.history ?? []).map((a) => a.error)]),
  ];
  return { code: String(status.error?.code), text: JSON.stringify({ errors, events, lines: logger.lines }) };
}

const secretUrl = (base: string, path: string) => {
  const url = new URL(`${base}${path}`);
  url.username = 'user';
  url.password = SECRET;
  url.searchParams.set('token', SECRET);
  url.hash = SECRET;
  return url.href;
};

describe('http action errors repeat no credential, query or header value', () => {
  it('a refused connection', async () => {
    const r = await failedCall({ url: secretUrl(`http://127.0.0.1:${await closedPort()}`, '/x') });
    expect(r.code).toBe('HTTP_NETWORK');
    expect(r.text).not.toContain(SECRET);
  });

  it('a 5xx answer, a redirect loop and a timeout', async () => {
    const codes: string[] = [];
    for (const [path, timeout] of [
      ['/down', undefined],
      ['/loop', undefined],
      ['/slow', 0.2],
    ] as const) {
      const r = await failedCall({
        url: secretUrl(server.base, path),
        headers: { authorization: `Bearer ${SECRET}`, cookie: `s=${SECRET}` },
        ...(timeout ? { timeout } : {}),
      });
      codes.push(r.code);
      expect(r.text).not.toContain(SECRET);
    }
    expect(codes).toEqual(['HTTP_5XX', 'HTTP_TOO_MANY_REDIRECTS', 'HTTP_TIMEOUT']);
  });

  it('a host the SSRF guard refuses and a header value it cannot send', async () => {
    const blocked = await failedCall({ url: secretUrl('http://10.1.2.3', '/x') });
    expect(blocked.code).toBe('SSRF_BLOCKED');
    const badHeader = await failedCall({
      url: `${server.base}/down`,
      headers: { authorization: `Bearer ${SECRET}\r\n` },
    });
    expect(badHeader.code).toBe('VALIDATION');
    for (const r of [blocked, badHeader]) expect(r.text).not.toContain(SECRET);
  });

  it('a URL that does not parse: its credentials, query and fragment are not repeated', async () => {
    for (const url of [
      `https://api.example.com:99999/v1/orders?api_key=${SECRET}`,
      `https://user:${SECRET}@api.example.com:99999/v1?token=${SECRET}#${SECRET}`,
      `api.example.com/hooks?token=${SECRET}`,
      `https://exa mple.com/x#access_token=${SECRET}`,
    ]) {
      const r = await failedCall({ url });
      expect(r.code).toBe('VALIDATION');
      expect(r.text).toContain('is not a valid absolute URL');
      expect(r.text).not.toContain(SECRET);
    }
  });
});
