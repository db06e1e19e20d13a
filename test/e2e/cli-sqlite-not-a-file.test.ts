/**
 * The commands that read an existing store (`list`, `status`, `cancel`, `metrics`, `workers`,
 * `purge`, `backup`) refuse a SQLite path that is not a regular file, naming what it is, as
 * `migrate`, `run` and `serve` do. They opened it first to see whether it held a store: on a FIFO
 * that open waited for a writer for ever, deaf to Ctrl-C and SIGTERM; on /dev/null they said it
 * held no store and sent the user to `migrate`, which then refused it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseJson, startCli, tempStore } from './fixtures/cli-harness.js';

/** Runs the CLI; one still running after 20 s is killed (a FIFO's open ignores other signals). */
async function cliBounded(args: string[]) {
  const running = startCli(args);
  const killer = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
  onTestFinished(() => {
    clearTimeout(killer);
    running.child.kill('SIGKILL');
  });
  return running.exited;
}

describe('a SQLite store path that is not a regular file', () => {
  it.each([
    ['list', []],
    ['status', ['wf_x']],
    ['purge', ['--older-than', '1d']],
  ])(
    'is refused at once by %s when it is a FIFO',
    async (command, rest) => {
      const s = tempStore('orch-fifo-');
      onTestFinished(() => s.remove());
      const fifo = join(s.dir, 'store.fifo');
      execFileSync('mkfifo', [fifo]);
      const r = await cliBounded([command, ...rest, '--json', '--store', `sqlite:${fifo}`]);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(1);
      const { error } = parseJson<{ error: { code: string; message: string } }>(r.stdout);
      expect(error).toEqual({
        code: 'STORE_UNAVAILABLE',
        message: `Cannot open SQLite store '${fifo}': it is a FIFO, not a regular file; name a database file`,
      });
    },
    30_000,
  );

  it('is refused as a character device, not as a file without a store to migrate', async () => {
    const r = await cliBounded(['list', '--store', 'sqlite:/dev/null']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "Cannot open SQLite store '/dev/null': it is a character device, not a regular file",
    );
    expect(r.stderr).not.toContain('migrate');
  }, 30_000);
});
