/**
 * Ctrl-C while `run --json` is still starting (here: sent while its handlers module loads) still
 * ends with one JSON document on stdout and exit 130, not a process killed by the signal with
 * nothing printed. The module sends it as it is evaluated and loads at once, so the CLI may see it
 * before the import settles (it stops before opening the store) or just after, while the store
 * opens (it closes the store again); `cli-interrupt-handlers-loading.test.ts` tests each.
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

/** What `run` says when a signal stops it as it starts: before or while its store opens. */
const STOPPED_STARTING =
  /^(interrupted \(SIGINT\) while run was starting: stopped before opening the store|interrupted: closing\. Unfinished executions stay in the store)/;

describe('run interrupted while it starts', () => {
  it('--json: exits 130 with an INTERRUPTED error document on stdout', async () => {
    const r = await run(NOOP, HANDLERS, true);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    const doc = parseJson<ErrorDocument>(r.stdout);
    expect(doc.error.code).toBe('INTERRUPTED');
    expect(doc.error.message).toMatch(STOPPED_STARTING);
  });

  it('without --json: exits 130 and says where it stopped', async () => {
    const r = await run(NOOP, HANDLERS, false);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stderr.replace(/^\n|^error: /, '')).toMatch(STOPPED_STARTING);
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
