/**
 * `--store sqlite::memory:` is an in-memory SQLite database: like `memory`, it keeps nothing
 * after the process, and the CLI says so instead of promising a resume or a file.
 */
import { describe, expect, it } from 'vitest';
import { cli, parseJson } from './fixtures/cli-harness.js';

const STORE = 'sqlite::memory:';

describe('--store sqlite::memory:', () => {
  it('run --timeout says the execution ends with the process, not that it resumes', async () => {
    const r = await cli(['run', 'test/e2e/fixtures/cli-pause.json', '--store', STORE, '--timeout', '0.05']);
    expect(r.code).toBe(1);
    const id = /Execution (exec_\w+)/.exec(r.stdout)?.[1];
    expect(r.stderr).toContain(
      `error: execution ${id} did not finish within 0.05s; the memory store keeps nothing, so it ends with this process`,
    );
    expect(r.stderr).not.toContain('resumes');
    // Nor does its start promise to keep it.
    expect(r.stdout).toContain('Ctrl-C stops it (this store lives in this process: nothing of it is kept)');
    expect(r.stdout).not.toContain('keeps it in the store');
  });

  it('status of an id says the store lives inside one process', async () => {
    const r = await cli(['status', 'exec_0mx53ff8j0001d96aa38643', '--store', STORE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '(the memory store lives inside one process: inspect a durable store instead)',
    );
  });

  it('migrate says it is not durable', async () => {
    const r = await cli(['--json', 'migrate', '--store', STORE]);
    expect(r.code).toBe(0);
    expect(parseJson<{ durable: boolean }>(r.stdout).durable).toBe(false);
  });
});
