/**
 * Ctrl-C while `run --json` is still starting (here: while its handlers module loads, before the
 * command listened for signals) still ends with one JSON document on stdout and exit 130, not a
 * process killed by the signal with nothing printed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const HANDLERS = 'test/e2e/fixtures/self-interrupt-handlers.ts';
const NOOP = 'test/e2e/fixtures/cli-noop.json';

/** `run` of `definition` with `handlers` on the test's store, with `--json` when `json` is set. */
const run = (definition: string, handlers: string, json: boolean) =>
  cli([...(json ? ['--json'] : []), 'run', definition, '--handlers', handlers, '--store', store.url]);

type ErrorDocument = { error: { code: string; message: string } };

describe('run interrupted while it starts', () => {
  it('--json: exits 130 with an INTERRUPTED error document on stdout', async () => {
    const r = await run(NOOP, HANDLERS, true);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    const doc = parseJson<ErrorDocument>(r.stdout);
    expect(doc.error.code).toBe('INTERRUPTED');
    expect(doc.error.message).toMatch(/^interrupted: closing\./);
  });

  it('without --json: exits 130 and says the work stays in the store', async () => {
    const r = await run(NOOP, HANDLERS, false);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stderr).toMatch(/interrupted: closing\. Unfinished executions stay in the store/);
  });

  it('--json, interrupted twice: exits 130 at once, still with an INTERRUPTED error document', async () => {
    const r = await run(NOOP, 'test/e2e/fixtures/double-interrupt-handlers.ts', true);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    const doc = parseJson<ErrorDocument>(r.stdout);
    expect(doc.error.code).toBe('INTERRUPTED');
    expect(doc.error.message).toMatch(/^interrupted twice: exiting at once/);
  });

  it('--json, interrupted twice while a step runs: exits 130 at once with the error document', async () => {
    const definition = join(store.dir, 'interrupt-twice.json');
    writeFileSync(
      definition,
      JSON.stringify({ id: 'twice', steps: [{ name: 'a', action: 'interrupt_twice' }] }),
    );
    const r = await run(definition, 'test/e2e/fixtures/double-interrupt-step-handlers.ts', true);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    const doc = parseJson<ErrorDocument>(r.stdout);
    expect(doc.error).toEqual({
      code: 'INTERRUPTED',
      message: 'interrupted twice: exiting at once, without closing',
    });
  });
});
