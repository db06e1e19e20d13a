/**
 * An option given an empty value (`--workflow "$WF"` with WF unset) was taken as not given:
 * `list --workflow ""` listed every workflow's executions, `run --handlers ""` ran without the
 * handlers meant, `serve --config ""` started without its config. Like `--store ""`, it is a usage
 * error (exit 2) naming the option, and nothing runs.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const NOOP = 'test/e2e/fixtures/cli-noop.json';

describe.concurrent('empty option values', () => {
  it.each([
    [['list', '--workflow', ''], '--workflow <id>'],
    [['metrics', '--workflow='], '--workflow <id>'],
    [['run', NOOP, '--handlers', ''], '--handlers <module>'],
    [['cancel', 'exec_x', '--handlers', ''], '--handlers <module>'],
    [['serve', '--config', ''], '--config <file>'],
    [['serve', '--workflows', ''], '--workflows <dir>'],
    [['serve', '--alert-webhook', ''], '--alert-webhook <url>'],
  ])('%j is refused naming the option', async (args, flags) => {
    const r = await cli([...args, '--store', store.url]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toBe(
      `error: option '${flags}' argument '' is invalid. Expected a value, got an empty one (an unset variable?).\n`,
    );
    expect(existsSync(store.file)).toBe(false);
  });

  // `status "$ID"` with ID unset said `execution '' not found` (exit 1), as if it had looked.
  it.each([
    [['status', ''], 'executionId'],
    [['cancel', ''], 'executionId'],
    [['run', ''], 'definition'],
    [['performance', ''], 'workflowId'],
    [['workflows', ''], 'workflowId'],
  ])('%j is refused naming the argument', async (args, name) => {
    const r = await cli([...args, '--store', store.url]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toBe(
      `error: command-argument value '' is invalid for argument '${name}'. Expected a value, got an empty one (an unset variable?).\n`,
    );
    expect(existsSync(store.file)).toBe(false);
  });
});
