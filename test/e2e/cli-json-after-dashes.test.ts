/**
 * An argument after `--` is an operand: `status -- --json` asks about an execution named
 * `--json`. Commander reads it so, but the CLI's own early look for `--json` (for an error
 * commander or the command reports) did not stop at `--`, so the refusal came as a JSON document
 * on stdout while the command ran in human mode.
 */
import { describe, expect, it } from 'vitest';
import { jsonFlagIn } from '../../src/cli/json-flag.js';
import { cli, parseJson, seededStore } from './fixtures/cli-harness.js';

describe('--json after --', () => {
  it('is an operand, not the flag', () => {
    expect(jsonFlagIn(['node', 'cli', 'status', '--', '--json'])).toBe(false);
    expect(jsonFlagIn(['node', 'cli', '--json', 'status', '--', 'x'])).toBe(true);
    expect(jsonFlagIn(['node', 'cli', 'status', 'x', '--json'])).toBe(true);
  });

  it('status -- --json: the refusal is a human error line, nothing on stdout', async () => {
    const url = await seededStore([]);
    const r = await cli(['status', '--store', url, '--', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: execution '--json' not found in store ${url}\n`);
  });

  it('--json status -- --json: one JSON error document', async () => {
    const url = await seededStore([]);
    const r = await cli(['--json', 'status', '--store', url, '--', '--json']);
    expect(r.code).toBe(1);
    expect(parseJson<{ error: { code: string } }>(r.stdout).error.code).toBe('EXECUTION_NOT_FOUND');
  });
});
