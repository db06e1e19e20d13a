/**
 * `run --idempotency-key`: a script that runs a workflow again after a timeout or a crash of its
 * own (not knowing whether the first run started it) follows the execution the key started rather
 * than starting a second one. A key `executeWorkflow` would refuse is refused before the store
 * opens; a key of another workflow is the engine's `CONFLICT`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const NOOP = 'test/e2e/fixtures/cli-noop.json';

describe('run --idempotency-key', () => {
  it('a second run with the key follows the first execution, with its input, and starts nothing', async () => {
    const first = await cli([
      '--json',
      'run',
      NOOP,
      '--input',
      '{"n":1}',
      '--idempotency-key',
      'order-7',
      '--store',
      store.url,
    ]);
    expect(first.code).toBe(0);
    const done = parseJson<{ id: string; inputData: unknown; outputData: unknown }>(first.stdout);
    expect(done.inputData).toEqual({ n: 1 });

    const again = await cli([
      'run',
      NOOP,
      '--input',
      '{"n":2}',
      '--idempotency-key',
      'order-7',
      '--store',
      store.url,
    ]);
    expect({ code: again.code, signal: again.signal }).toEqual({ code: 0, signal: null });
    expect(again.stderr).toContain(
      `idempotency key 'order-7' started execution ${done.id} before: following it, with its own input`,
    );
    expect(again.stdout).toContain(`Execution ${done.id}  input {"n":1}`);

    const list = await cli(['--json', 'list', '--store', store.url]);
    expect(parseJson<{ id: string }[]>(list.stdout).map((e) => e.id)).toEqual([done.id]);

    // Another key starts another execution.
    const other = await cli(['--json', 'run', NOOP, '--idempotency-key', 'order-8', '--store', store.url]);
    expect(other.code).toBe(0);
    expect(parseJson<{ id: string }>(other.stdout).id).not.toBe(done.id);
  });

  it('refuses a key executeWorkflow would refuse with exit 2, before the store opens', async () => {
    const fresh = tempStore();
    try {
      for (const key of ['', 'k'.repeat(257)]) {
        const r = await cli(['run', NOOP, '--idempotency-key', key, '--store', fresh.url]);
        expect({ code: r.code, signal: r.signal }).toEqual({ code: 2, signal: null });
        expect(r.stderr).toMatch(
          /option '--idempotency-key <key>' argument .* is invalid\. Idempotency key: /,
        );
        expect(r.stdout).toBe('');
      }
      expect(existsSync(fresh.file)).toBe(false);
    } finally {
      fresh.remove();
    }
  });

  it("a key another workflow's execution holds is a CONFLICT (exit 1), nothing started", async () => {
    const otherDef = join(store.dir, 'other.json');
    writeFileSync(otherDef, JSON.stringify({ id: 'cli-other', steps: [{ name: 'a', action: 'noop' }] }));
    const r = await cli(['--json', 'run', otherDef, '--idempotency-key', 'order-7', '--store', store.url]);
    expect(r.code).toBe(1);
    expect(parseJson<{ error: { code: string } }>(r.stdout).error.code).toBe('CONFLICT');
  });
});
