/**
 * A workflow whose built-in `http` step calls a service on this machine (`http://127.0.0.1:…`, a
 * plausible first try) failed under `orchestrator run` with `SSRF_BLOCKED` and the advice to add
 * the host to the orchestrator's `httpAllowlist`, which only `serve` could set (`--http-allow`,
 * `--config`): `run` had no way to. `run` now takes `--http-allow <hosts>` as `serve` does, checked
 * before the store opens, and the refusal names the flag.
 */
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"pong":true}');
});
const store = tempStore();
let definition = '';

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  definition = join(store.dir, 'ping.json');
  const url = JSON.stringify(`http://127.0.0.1:${port}/ping`);
  writeFileSync(
    definition,
    JSON.stringify({ id: 'ping', steps: [{ name: 'call', action: 'http', input: `{'url': ${url}}` }] }),
  );
});
afterAll(() => {
  server.close();
  store.remove();
});

interface Status {
  status: string;
  outputData: Record<string, { status: number; body: unknown }>;
  error?: { code: string; message: string };
}

describe('orchestrator run --http-allow', () => {
  it('lets the http action reach the hosts it names', async () => {
    const r = await cli(['--json', 'run', definition, '--store', 'memory', '--http-allow', '127.0.0.1']);
    expect(r.code).toBe(0);
    const status = parseJson<Status>(r.stdout);
    expect(status.status).toBe('completed');
    expect(status.outputData.call).toMatchObject({ status: 200, body: { pong: true } });
  });

  it('without it the call is refused, and the refusal names the flag', async () => {
    const r = await cli(['--json', 'run', definition, '--store', 'memory']);
    expect(r.code).toBe(1);
    const { error } = parseJson<Status>(r.stdout);
    expect(error?.code).toBe('SSRF_BLOCKED');
    expect(error?.message).toContain('--http-allow');
  });

  it('an entry that is no host, address or CIDR is a usage error before the store opens', async () => {
    const r = await cli(['run', definition, '--store', store.url, '--http-allow', '10.0.0.0/99']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: --http-allow: '10.0.0.0/99' is not a valid CIDR block (address/prefix)\n");
    expect(existsSync(store.file)).toBe(false);
  });
});
