/**
 * `metrics`, `workers`, `workflows` and `performance` on a store that lives inside one process (`memory`, `sqlite::memory:`)
 * read a store that is new and empty: they said nothing of it, showing zeros as if nothing ever
 * ran. They now say so on stderr; stdout keeps the report (one JSON document with `--json`).
 */
import { describe, expect, it } from 'vitest';
import { cli, parseJson } from './fixtures/cli-harness.js';

const HINT =
  'warning: the memory store lives inside one process: this one is new and empty, so it shows nothing another process ran; inspect a durable store instead\n';

describe('metrics and workers on an in-process store', () => {
  it.each([
    ['metrics', 'memory'],
    ['workers', 'memory'],
    ['metrics', 'sqlite::memory:'],
    ['workers', 'sqlite::memory:'],
    ['workflows', 'memory'],
  ])('%s --store %s says the store is new and empty, on stderr', async (command, store) => {
    const [human, json] = await Promise.all([
      cli([command, '--store', store]),
      cli(['--json', command, '--store', store]),
    ]);
    expect(human.code).toBe(0);
    expect(human.stderr).toBe(HINT);
    expect(human.stdout).not.toContain('memory store');
    expect(json.code).toBe(0);
    expect(json.stderr).toBe(HINT);
    expect(parseJson<object>(json.stdout)).toBeTypeOf('object');
    expect(json.stdout).not.toContain('memory store');
  });

  it('performance --store memory says so too, then that the new store defines no such workflow', async () => {
    const r = await cli(['performance', 'order', '--store', 'memory']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${HINT}error: No workflow order is defined in this store.\n`);
  });
});
