/**
 * A reader that goes away (`orchestrator run ... | head -1`): the CLI stops writing to the closed
 * pipe instead of crashing with an unhandled EPIPE, and the command finishes its work. Output
 * lost for another reason (a full disk) fails the command.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/index.js';
import { cli, parseJson, startCli, tempStore } from './fixtures/cli-harness.js';
import { MAIN, runToFiles } from './fixtures/serve-to-files.js';

const store = tempStore();
const stderrDir = mkdtempSync(join(tmpdir(), 'orch-cli-full-'));
afterAll(() => {
  store.remove();
  rmSync(stderrDir, { recursive: true, force: true });
});

describe('stdout closed by its reader', () => {
  it('run finishes the execution and exits 0, without a stack trace', async () => {
    const running = startCli(['run', 'test/e2e/fixtures/cli-pause.json', '--store', store.url]);
    const id = (await running.waitFor(/Execution (exec_\w+)/))[1]!;
    // The reader goes away while the step waits: later progress lines meet a closed pipe.
    running.child.stdout?.destroy();
    const r = await running.exited;
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.code).toBe(0);
    const status = await cli(['--json', 'status', id, '--store', store.url]);
    expect(parseJson<ExecutionStatus>(status.stdout).status).toBe('completed');
  });
});

describe('stdout on a full disk', () => {
  // /dev/full answers every write with ENOSPC: the output is lost, so the command fails.
  it.each([[['--version']], [['--json', 'workflows', '--store', 'memory']]])(
    '%j exits 1 and says on stderr that its output could not be written',
    async (args) => {
      const stderrPath = join(stderrDir, `stderr-${args.length}.txt`);
      const run = runToFiles([MAIN, ...args], '/dev/full', stderrPath);
      expect(await run.exited).toEqual({ code: 1, signal: null });
      expect(readFileSync(stderrPath, 'utf8')).toContain(
        'error: the output could not be written to stdout (ENOSPC: no space left on device, write)',
      );
    },
  );

  it('a command that fails for its own reason keeps its exit code', async () => {
    const stderrPath = join(stderrDir, 'usage.txt');
    const run = runToFiles([MAIN, '--json', 'status'], '/dev/full', stderrPath);
    expect((await run.exited).code).toBe(2);
  });
});
