/**
 * `--json` prints exactly one JSON document on stdout, even when something fails after it was
 * printed (here: closing the store); the failure goes to stderr and the exit code. A handlers
 * module's console.log, which went to stdout and broke the document, goes to stderr too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/index.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const CLOSE_FAILS = 'test/e2e/fixtures/close-fails-handlers.ts';
const CONSOLE = 'test/e2e/fixtures/console-logging-handlers.ts';

/** `run` of the hello workflow with the console-logging handlers, after the `global` options. */
function runHello(global: string[]) {
  return cli([
    ...global,
    'run',
    'test/e2e/fixtures/cli-hello.json',
    '--handlers',
    CONSOLE,
    '--store',
    store.url,
  ]);
}

describe('one JSON document on stdout', () => {
  it('run --json: a failure closing the store after the status is printed goes to stderr', async () => {
    const r = await cli([
      '--json',
      'run',
      'test/e2e/fixtures/cli-hello.json',
      '--handlers',
      CLOSE_FAILS,
      '--store',
      store.url,
    ]);
    expect(parseJson<ExecutionStatus>(r.stdout)).toMatchObject({
      workflowId: 'cli-hello',
      status: 'completed',
    });
    expect(r.stderr).toContain('simulated failure closing the store');
    expect(r.code).toBe(1);
  });

  it("run --json: a handlers module's console output goes to stderr, not into the document", async () => {
    const r = await runHello(['--json']);
    expect(r.code).toBe(0);
    expect(parseJson<ExecutionStatus>(r.stdout)).toMatchObject({
      workflowId: 'cli-hello',
      status: 'completed',
    });
    expect(r.stdout.trimStart().startsWith('{')).toBe(true);
    expect(r.stderr).toContain('loading the handlers');
    expect(r.stderr).toContain('hello got');
    expect(r.stderr).toContain('info line');
    expect(r.stderr).toContain("'hello'");
  });

  it('run without --json leaves the console on stdout', async () => {
    const r = await runHello([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('loading the handlers');
    expect(r.stdout).toContain('hello got');
  });
});
