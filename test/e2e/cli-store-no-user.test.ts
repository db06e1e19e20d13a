/**
 * A PostgreSQL store URL without a user (`postgres://127.0.0.1/test`), when PGUSER and USER give the
 * driver none, failed with the server's bare 'no PostgreSQL user name specified in startup
 * packet'; and when USER gave it one that is no role, with 'role "…" does not exist', a user the
 * URL never named. Both now name the URL (password masked) and say to add a user or set PGUSER.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { assertServerReachable } from '../store/pg-fixture.js';
import { ROOT } from './fixtures/cli-harness.js';

function list(store: string, user?: string): { status: number | null; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.ORCHESTRATOR_STORE;
  delete env.PGUSER;
  delete env.USER;
  if (user !== undefined) env.USER = user;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'list', '--store', store],
    {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    },
  );
  return { status: result.status, stderr: result.stderr };
}

describe('CLI: a PostgreSQL store URL without a user', () => {
  it('with neither PGUSER nor USER set, says to add a user or set PGUSER', async () => {
    await assertServerReachable();
    const { status, stderr } = list('postgres://:s3cret@127.0.0.1:5432/test');
    expect(status).toBe(1);
    expect(stderr).toContain('Cannot open PostgreSQL store at postgres://***@127.0.0.1:5432/test: ');
    expect(stderr).toContain(
      'the URL names no user and neither PGUSER nor USER is set: add one (postgres://user@host/db) or set PGUSER',
    );
    expect(stderr).not.toContain('s3cret');
  }, 60_000);

  it('with USER naming no role, says the user came from there', async () => {
    await assertServerReachable();
    const { status, stderr } = list('postgres://127.0.0.1:5432/test', 'no_such_role_xyz');
    expect(status).toBe(1);
    expect(stderr).toContain(
      'Cannot open PostgreSQL store at postgres://127.0.0.1:5432/test: the URL names no user, so the driver took PGUSER or USER, and the server says role "no_such_role_xyz" does not exist: add one (postgres://user@host/db) or set PGUSER',
    );
  }, 60_000);
});
