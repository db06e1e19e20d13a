/**
 * `run --input` nested deeper than an execution's input may be (64 levels, as `executeWorkflow`
 * checks it) was refused only once the store was open and the workflow defined: the SQLite file
 * was created, a PostgreSQL connection made, for a run that could not start. It is now refused
 * first, a usage error naming `--input` and where, before the store opens.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const NOOP = 'test/e2e/fixtures/cli-noop.json';

/** `levels` arrays, one in another. */
const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const TOO_DEEP = `--input: ${'[0]'.repeat(21)}[… (192 characters): nested deeper than 64 levels`;

describe('run --input nested too deep', () => {
  it('is refused with exit 2 before the store opens: no database file', async () => {
    const r = await cli(['run', NOOP, '--input', nested(65), '--store', store.url]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 2, signal: null });
    expect(r.stderr).toBe(`error: ${TOO_DEEP}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(store.file)).toBe(false);
  });

  it('--json: the USAGE error document; an object nested too deep is named by its keys', async () => {
    const deep = `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`;
    const r = await cli(['--json', 'run', NOOP, '--input', deep, '--store', store.url]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 2, signal: null });
    expect(parseJson<{ error: unknown }>(r.stdout).error).toEqual({
      code: 'USAGE',
      message: `--input: ${'a.'.repeat(32)}… (127 characters): nested deeper than 64 levels`,
    });
    expect(existsSync(store.file)).toBe(false);
  });

  it('makes no connection to a PostgreSQL store (one nobody listens for is not even tried)', async () => {
    const r = await cli(['run', NOOP, '--input', nested(65), '--store', 'postgres://127.0.0.1:1/none']);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 2, signal: null });
    expect(r.stderr).toBe(`error: ${TOO_DEEP}\n`);
  });

  it('64 levels is not too deep: the run completes', async () => {
    const r = await cli(['run', NOOP, '--input', nested(64), '--store', store.url]);
    expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
      code: 0,
      signal: null,
      stderr: '',
    });
  });
});
