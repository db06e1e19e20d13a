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
});
