/**
 * A log that cannot be written (stderr on a full disk: /dev/full answers every write with
 * ENOSPC) must not crash a process, keep it from ending, or change how it ends. pino's own
 * destination crashed on the first failed write and then retried it for ever as the process
 * exited: `serve` did not stop on SIGTERM.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runToFiles } from './fixtures/serve-to-files.js';

const dir = mkdtempSync(join(tmpdir(), 'orch-stderr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Runs `node --import tsx <args>` with stdout to a file of its own and stderr to `stderrPath`. */
const start = (args: string[], stderrPath: string, env: Record<string, string> = {}) =>
  runToFiles(args, join(dir, `out-${runs++}.txt`), stderrPath, env);

/** `promise`, or a failure naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: still running after ${ms} ms`)), ms),
    ),
  ]);
}

const SCRIPT = (exitAtOnce: boolean) => `
  import { createDefaultLogger } from ${JSON.stringify(join(ROOT, 'src', 'logger.ts'))};
  const logger = createDefaultLogger('info');
  for (let i = 0; i < 200; i++) logger.info({ i }, 'line');
  ${exitAtOnce ? 'process.exit(0);' : "setTimeout(() => logger.warn({ i: 200 }, 'late'), 50);"}
`;

describe('a log that cannot be written', () => {
  it('serve starts, serves and stops on SIGTERM with exit 0 when stderr is on a full disk', async () => {
    const run = start([MAIN, 'serve', '--port', '0', '--store', 'memory'], '/dev/full', {
      ORCHESTRATOR_API_TOKEN: 'a-token-of-enough-length-0123456789',
    });
    try {
      await run.banner();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout())![1]!;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      run.child.kill('SIGTERM');
      expect(await within(run.exited, 15_000, 'serve after SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 60_000);

  it('the default logger neither crashes nor holds a process that ends by itself', async () => {
    const run = start(['--input-type=module', '-e', SCRIPT(false)], '/dev/full');
    try {
      expect(await within(run.exited, 15_000, 'the script')).toEqual({ code: 0, signal: null });
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 60_000);

  it('the default logger writes what it still holds when the process exits at once', async () => {
    const log = join(dir, 'exit.jsonl');
    const run = start(['--input-type=module', '-e', SCRIPT(true)], log);
    expect(await within(run.exited, 15_000, 'the script')).toEqual({ code: 0, signal: null });
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    );
  }, 60_000);
});
