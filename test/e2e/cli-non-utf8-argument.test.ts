/**
 * An argument that is not UTF-8 (a Latin-1 terminal, bytes from a file) reaches the CLI with
 * U+FFFD in place of each bad byte: `--input '{"name":"Jos\xe9"}'` stored "Jos\ufffd" and
 * `--store sqlite:/tmp/caf\xe9.sqlite` opened another file than the one named. It is refused
 * instead (exit 2), naming the option it belongs to, before anything runs.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures/cli-harness.js';

/**
 * Runs the CLI through a shell, with `printf` putting raw bytes in the arguments; `assign` is
 * put before the command (`VAR="$(printf …)"`).
 */
function shell(args: string, assign = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', `${assign} exec "${process.execPath}" --import tsx src/cli/main.ts ${args}`],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe.concurrent('arguments that are not UTF-8', () => {
  it('an option value is refused naming the option, with --json an error document', async () => {
    const r = await shell(
      `--json run test/e2e/fixtures/cli-noop.json --store memory --input "$(printf '{"name":"Jos\\351"}')"`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: the value of --input is not valid UTF-8 (what it could not read shows as \\ufffd: {"name":"Jos\\ufffd"}); pass it in UTF-8\n',
    );
    expect(JSON.parse(r.stdout).error.code).toBe('USAGE');
  });

  it('an --option=value and a positional argument are refused too', async () => {
    const store = await shell(`list "--store=$(printf 'sqlite:/tmp/caf\\351.sqlite')"`);
    expect(store.code).toBe(2);
    expect(store.stderr).toMatch(/^error: the value of --store is not valid UTF-8 /);
    // After a flag that takes no value, it is an argument of its own.
    const file = await shell(`run --json "$(printf 'caf\\351.json')" --store memory`);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(
      /^error: argument 3 is not valid UTF-8 \(what it could not read shows as \\ufffd: caf\\ufffd\.json\)/,
    );
  });

  it('ORCHESTRATOR_STORE is refused too, naming it (migrate created a file named with U+FFFD)', async () => {
    const r = await shell('migrate', `ORCHESTRATOR_STORE="$(printf 'sqlite:/tmp/caf\\351.sqlite')"`);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: ORCHESTRATOR_STORE is not valid UTF-8 (what it could not read shows as \\ufffd: sqlite:/tmp/caf\\ufffd.sqlite); pass it in UTF-8\n',
    );
  });

  it("shows a store URL's password neither from --store nor from ORCHESTRATOR_STORE", async () => {
    const url = `"$(printf 'postgres://u:s3cret@127.0.0.1/caf\\351')"`;
    const flag = await shell(`list --store ${url}`);
    const variable = await shell('list', `ORCHESTRATOR_STORE=${url}`);
    for (const r of [flag, variable]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('postgres://***@127.0.0.1/caf\\ufffd');
      expect(r.stderr).not.toContain('s3cret');
    }
  });
});
