/**
 * A reader that goes away (`orchestrator run ... | head -1`): the CLI stops writing to the closed
 * pipe instead of crashing with an unhandled EPIPE, and the command finishes its work.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/index.js';
import { cli, parseJson, startCli, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

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
