/**
 * A `--handlers` module whose top-level await never settles (`await new Promise(() => {})`) left
 * the event loop with nothing to run, and Node ended the CLI with exit code 13 and nothing said.
 * It is now a usage error (exit 2) saying the module never finished loading, before the store is
 * opened; a module that loads slowly but finishes still loads.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const NEVER = 'test/e2e/fixtures/never-loading-handlers.ts';
const NOOP = 'test/e2e/fixtures/cli-noop.json';
const MESSAGE = `handlers module '${NEVER}' never finished loading: its top-level await waits for something nothing left to run can settle (a promise never resolved)`;

describe('a handlers module that never finishes loading', () => {
  it('run: exits 2 saying so, with the store not opened', async () => {
    const r = await cli(['run', NOOP, '--handlers', NEVER, '--store', store.url]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 2, signal: null });
    expect(r.stderr).toBe(`error: ${MESSAGE}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(store.file)).toBe(false);
  });

  it('run --json: exits 2 with the USAGE error document', async () => {
    const r = await cli(['--json', 'run', NOOP, '--handlers', NEVER, '--store', store.url]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 2, signal: null });
    expect(parseJson<{ error: unknown }>(r.stdout).error).toEqual({ code: 'USAGE', message: MESSAGE });
  });

  it('serve: exits 2 saying so, without listening', async () => {
    const r = await cli(['serve', '--port', '0', '--handlers', NEVER, '--store', store.url]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 2, signal: null });
    expect(r.stderr).toBe(`error: ${MESSAGE}\n`);
    expect(r.stdout).toBe('');
  });

  it('a module that loads slowly but finishes still loads: run completes', async () => {
    const slow = 'test/e2e/fixtures/slow-loading-handlers.ts';
    const r = await cli(['run', NOOP, '--handlers', slow, '--store', store.url]);
    expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
      code: 0,
      signal: null,
      stderr: '',
    });
    expect(r.stdout).toMatch(/completed/);
  });
});
