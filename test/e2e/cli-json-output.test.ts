/**
 * `--json` prints exactly one JSON document on stdout, even when something fails after it was
 * printed (here: closing the store); the failure goes to stderr and the exit code.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/index.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const CLOSE_FAILS = 'test/e2e/fixtures/close-fails-handlers.ts';

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
});
