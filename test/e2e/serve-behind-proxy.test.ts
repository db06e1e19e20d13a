/**
 * `orchestrator serve` behind a TLS-terminating reverse proxy: the dashboard saw plain http to
 * the upstream host, so a browser's sign-in from https://ops.example.com answered 403
 * 'Cross-origin request refused.' and its session cookie lacked `Secure`, and `serve` had no way to
 * say otherwise. `--trust-proxy <addresses>` believes the proxy's X-Forwarded-* headers,
 * `--allowed-origin <origin>` (repeatable) lets another origin use the dashboard, and
 * `--secure-cookie` marks the cookie Secure. Bad values exit 2 naming the flag.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type RunningCli, startCli } from './fixtures/cli-harness.js';

const TOKEN = 'e2e-proxy-token-8d1c4b2a9e';

interface Server {
  url: string;
  running: RunningCli;
}

async function serve(args: string[]): Promise<Server> {
  const running = startCli(['serve', '--port', '0', '--store', 'memory', ...args], {
    ORCHESTRATOR_API_TOKEN: TOKEN,
  });
  const match = await running.waitFor(/listening on (http:\/\/\S+) /, 30_000);
  return { url: match[1] as string, running };
}

async function stop(server: Server | undefined): Promise<void> {
  if (!server || server.running.child.exitCode !== null) return;
  server.running.child.kill('SIGTERM');
  await server.running.exited;
}

/** POST /login with `headers` (node:http, so Origin is sent as given): status and Set-Cookie. */
function signIn(url: string, headers: Record<string, string>): Promise<{ status: number; cookie: string }> {
  const body = `token=${encodeURIComponent(TOKEN)}`;
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/login`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? '') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const HTTPS_OPS = {
  origin: 'https://ops.example.com',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'ops.example.com',
  'x-forwarded-for': '203.0.113.7',
};

describe('orchestrator serve behind a reverse proxy', () => {
  let trusting: Server | undefined;
  let origins: Server | undefined;
  let plain: Server | undefined;
  beforeAll(async () => {
    [trusting, origins, plain] = await Promise.all([
      serve(['--trust-proxy', '127.0.0.1, ::1']),
      serve([
        '--allowed-origin',
        'HTTPS://Ops.Example.com:443/',
        '--allowed-origin',
        'http://second.example:8080',
        '--secure-cookie',
      ]),
      serve([]),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([stop(trusting), stop(origins), stop(plain)]);
  });

  it('--trust-proxy: believes the proxy, so the browser signs in over https with a Secure cookie', async () => {
    const res = await signIn((trusting as Server).url, HTTPS_OPS);
    expect(res.status).toBe(303);
    expect(res.cookie).toMatch(/^orch_session=.*; Secure$/);
    const other = await signIn((trusting as Server).url, { ...HTTPS_OPS, origin: 'https://evil.example' });
    expect(other.status).toBe(403);
  });

  it('--allowed-origin (repeated, any case and default port) and --secure-cookie', async () => {
    const url = (origins as Server).url;
    const ops = await signIn(url, { origin: 'https://ops.example.com' });
    expect(ops.status).toBe(303);
    expect(ops.cookie).toMatch(/; Secure$/);
    expect((await signIn(url, { origin: 'http://second.example:8080' })).status).toBe(303);
    expect((await signIn(url, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('without them: the proxy headers are ignored and other origins refused', async () => {
    const url = (plain as Server).url;
    expect((await signIn(url, HTTPS_OPS)).status).toBe(403);
    const local = await signIn(url, { 'x-forwarded-proto': 'https' });
    expect(local.status).toBe(303);
    expect(local.cookie).not.toContain('Secure');
  });

  it.each([
    [
      ['--allowed-origin', 'https://ops.example.com/dashboard'],
      /^error: option '--allowed-origin <origin>' argument 'https:\/\/ops\.example\.com\/dashboard' is invalid\. Expected an origin such as 'https:\/\/ops\.example\.com' \(scheme:\/\/host\[:port\]\), got "https:\/\/ops\.example\.com\/dashboard"\.\n/,
    ],
    [
      ['--allowed-origin', 'ftp://ops.example.com'],
      /^error: option '--allowed-origin <origin>' argument .* is invalid\. Expected an http or https origin, got "ftp:\/\/ops\.example\.com"\.\n/,
    ],
    [
      ['--trust-proxy', '127.0.0.1,proxy.local'],
      /^error: option '--trust-proxy <addresses>' argument .* is invalid\. Expected an IP address, a CIDR such as 10\.0\.0\.0\/8, or loopback, linklocal or uniquelocal, got "proxy\.local"\.\n/,
    ],
    [
      ['--trust-proxy', ' , '],
      /^error: option '--trust-proxy <addresses>' argument .* is invalid\. Entry 1 of 2 is empty \(a stray comma\?\); expected comma-separated proxy addresses/,
    ],
    // The empty entry was dropped silently: `127.0.0.1,,10.0.0.1` trusted the two others.
    [
      ['--trust-proxy', '127.0.0.1,,10.0.0.1'],
      /^error: option '--trust-proxy <addresses>' argument .* is invalid\. Entry 2 of 3 is empty \(a stray comma\?\); expected comma-separated proxy addresses/,
    ],
    [
      ['--trust-proxy', ''],
      /^error: option '--trust-proxy <addresses>' argument .* is invalid\. Expected comma-separated proxy addresses, such as 127\.0\.0\.1 or 10\.0\.0\.0\/8, got an empty value/,
    ],
    [
      ['--trust-proxy', '127.0.0.1', '--trust-proxy', '::1'],
      /^error: option '--trust-proxy <addresses>' given more than once; give it once\n/,
    ],
  ])('refuses %j, and listens nowhere', async (args, message) => {
    const r = await cli(['serve', '--store', 'memory', '--port', '0', ...args], {
      ORCHESTRATOR_API_TOKEN: TOKEN,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('lists the options in its help', async () => {
    const r = await cli(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--allowed-origin <origin>\s+an origin besides/);
    expect(r.stdout).toMatch(/--trust-proxy <addresses>\s+comma-separated addresses or CIDRs/);
    expect(r.stdout).toMatch(/--secure-cookie\s+mark the dashboard session cookie Secure/);
  });
});
