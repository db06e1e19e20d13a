/**
 * A store URL of the right shape that opening the store refuses (`sqlite:~/x.db`, an unknown
 * `sslmode`) was reported by the CLI as the config key `store` (`Invalid config: store: …`),
 * whether it came from ORCHESTRATOR_STORE or `--store`; it now names where it came from, as the
 * CLI's shape check of the URL does. One from `--store` was then `Invalid config: --store: …`; it is
 * now `--store: …`, as the CLI's other option errors are.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures/cli-harness.js';

function cliError(args: string[], store?: string): { status: number | null; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.ORCHESTRATOR_STORE;
  if (store !== undefined) env.ORCHESTRATOR_STORE = store;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

describe('CLI: a store URL refused when the store opens names where it came from', () => {
  it('ORCHESTRATOR_STORE, for the commands that read the store and for run', () => {
    const list = cliError(['list'], 'sqlite:~/x.db');
    expect(list.status).toBe(2);
    expect(list.stderr).toContain('Invalid config: ORCHESTRATOR_STORE: Expected "sqlite:<path>"');
    const dir = mkdtempSync(join(tmpdir(), 'orch-store-key-'));
    try {
      const file = join(dir, 'w.json');
      writeFileSync(file, JSON.stringify({ id: 'w', steps: [{ name: 'a', action: 'noop' }] }));
      const run = cliError(['run', file], 'postgres://127.0.0.1/test?sslmode=disabled');
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('Invalid config: ORCHESTRATOR_STORE: Cannot use the PostgreSQL URL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  // Headed as the CLI's other option errors (`--input: …`), not `Invalid config: --store: …`: a
  // flag is no config key.
  it('--store', () => {
    const status = cliError(['status', 'exec_x', '--store', 'sqlite://data/x.db']);
    expect(status.status).toBe(2);
    expect(status.stderr).toContain('error: --store: Expected "sqlite:<path>"');
    expect(status.stderr).not.toContain('Invalid config');
    const list = cliError(['list', '--store', 'postgres://postgres:s3cret@127.0.0.1/test?shema=x']);
    expect(list.status).toBe(2);
    expect(list.stderr).toContain(
      'error: --store: Cannot use the PostgreSQL URL postgres://***@127.0.0.1/test?shema=***: the parameter "shema" is not one the driver reads',
    );
    expect(list.stderr).not.toContain('s3cret');
  }, 60_000);
});
