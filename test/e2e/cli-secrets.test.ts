/**
 * Store URLs carry the database password: the CLI never prints it (messages, `--json` data, the
 * server's banner and log). The test server trusts every password, so any one opens the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { cli, startCli } from './fixtures/cli-harness.js';

const SECRET = 'Sup3rS3cretPw';
const SCHEMA = freshSchema();
const withPassword = new URL(PG_URL);
withPassword.password = SECRET;
withPassword.searchParams.set('schema', SCHEMA);
const URL_WITH_PASSWORD = withPassword.href;

beforeAll(async () => {
  await assertServerReachable();
  // Read commands do not create a store: this one exists (empty).
  expect((await cli(['migrate', '--store', URL_WITH_PASSWORD])).code).toBe(0);
});
afterAll(() => dropSchema(SCHEMA));

describe('CLI does not print the store password', () => {
  it('status of an unknown id (exit 1) does not echo the password', async () => {
    const r = await cli(['status', 'exec_nope', '--store', URL_WITH_PASSWORD]);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  it('list with no executions does not echo the password', async () => {
    const r = await cli(['list', '--store', URL_WITH_PASSWORD]);
    expect(r.code).toBe(0);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  it('serve does not print or log the password', async () => {
    const s = startCli(['serve', '--port', '0', '--store', URL_WITH_PASSWORD], {
      ORCHESTRATOR_API_TOKEN: 'tok-review-0123456789',
    });
    await s.waitFor(/listening on/);
    await new Promise((r) => setTimeout(r, 200));
    s.child.kill('SIGTERM');
    const r = await s.exited;
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('serve --json, the password also as ?password=, and a token from the environment, at debug', async () => {
    const token = 'tok-env-Xq7-0123456789';
    const both = new URL(URL_WITH_PASSWORD);
    both.searchParams.set('password', SECRET);
    const s = startCli(['--json', 'serve', '--port', '0', '--store', both.href], {
      ORCHESTRATOR_API_TOKEN: token,
      ORCHESTRATOR_LOG_LEVEL: 'debug',
    });
    const [banner] = await s.waitFor(/\{[^}]*"tokenSource"[^}]*\}/);
    const shown = JSON.parse(banner) as { url: string; store: string; tokenSource: string };
    expect(shown.tokenSource).toBe('env');
    expect(shown.store).toContain('***@');
    expect(shown.store).toContain('password=***');
    const res = await fetch(`${shown.url}/v1/workflows`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    await fetch(`${shown.url}/v1/workflows`, { headers: { authorization: `Bearer wrong-${token}` } });
    s.child.kill('SIGTERM');
    const r = await s.exited;
    expect(r.stderr).toContain('orchestrator listening');
    for (const secret of [SECRET, token]) expect(r.stdout + r.stderr).not.toContain(secret);
  });
});
