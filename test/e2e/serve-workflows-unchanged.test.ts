/**
 * `serve --workflows` logs whether each definition stored a new version: a restart with the same
 * files stores nothing, and said `workflow defined` all the same, so a deploy's log could not tell
 * a new version from none.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN, runToFiles } from './fixtures/serve-to-files.js';

const dir = mkdtempSync(join(tmpdir(), 'orch-serve-unchanged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `serve` on the store, waits for its banner, stops it; the workflow log lines. */
async function serveOnce(): Promise<{ msg: string; workflow: string; version: number }[]> {
  const file = join(dir, `out-${Math.random().toString(36).slice(2)}.log`);
  const run = runToFiles(
    [
      MAIN,
      'serve',
      '--port',
      '0',
      '--store',
      `sqlite:${join(dir, 'store.sqlite')}`,
      '--handlers',
      join(dir, 'handlers.mjs'),
      '--workflows',
      join(dir, 'workflows'),
    ],
    file,
    file,
    { ORCHESTRATOR_API_TOKEN: 'a-token-of-enough-length-0123456789' },
  );
  try {
    const lines = (await run.banner()).split('\n');
    return lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; workflow: string; version: number })
      .filter((line) => line.msg.startsWith('workflow '))
      .map(({ msg, workflow, version }) => ({ msg, workflow, version }));
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
  }
}

describe('orchestrator serve --workflows on a durable store', () => {
  it('logs workflow defined for a new version and workflow unchanged for a stored one', async () => {
    writeFileSync(join(dir, 'handlers.mjs'), 'export const actions = { touch: () => ({}) };\n');
    mkdirSync(join(dir, 'workflows'));
    const write = (steps: unknown) =>
      writeFileSync(join(dir, 'workflows', 'w.json'), JSON.stringify({ id: 'w', steps }));
    write([{ name: 'only', action: 'touch' }]);
    expect(await serveOnce()).toEqual([{ msg: 'workflow defined', workflow: 'w', version: 1 }]);
    expect(await serveOnce()).toEqual([{ msg: 'workflow unchanged', workflow: 'w', version: 1 }]);
    write([
      { name: 'only', action: 'touch' },
      { name: 'again', action: 'touch' },
    ]);
    expect(await serveOnce()).toEqual([{ msg: 'workflow defined', workflow: 'w', version: 2 }]);
  }, 60_000);
});
