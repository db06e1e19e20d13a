/**
 * Ctrl-C during `purge --yes` (here: SIGINT right after its first batch of 500) stops it before
 * the next batch and says how many executions it deleted, in how many batches, with exit 130 and,
 * with `--json`, the INTERRUPTED error document naming them. It said only that purge stopped
 * before it finished, though the batches it ran stay deleted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeExecution } from '../store/records.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const stores: { remove(): void }[] = [];
afterAll(() => {
  for (const s of stores) s.remove();
});

const DAY = 86_400_000;
const INTERRUPT = {
  NODE_OPTIONS: '--import tsx --import ./test/e2e/fixtures/interrupt-after-purge-batch.ts',
};

/** A store with 1,200 executions finished 10 days ago: three batches' worth. */
async function seeded(): Promise<string> {
  const s = tempStore();
  stores.push(s);
  const store = new SqliteStore(s.file);
  await store.init();
  const now = Date.now();
  for (let i = 0; i < 1200; i++) {
    const id = `old-${String(i).padStart(4, '0')}`;
    await store.createExecution(
      makeExecution({ id, status: 'completed', createdAt: now - 11 * DAY, completedAt: now - 10 * DAY }),
    );
  }
  await store.close();
  return s.url;
}

const left = async (url: string) =>
  parseJson<unknown[]>((await cli(['--json', 'list', '--store', url, '--limit', '2000'])).stdout).length;

describe('purge --yes interrupted', () => {
  it('says how many it deleted before the interrupt, and stops there', async () => {
    const [text, json] = await Promise.all([seeded(), seeded()]);
    const args = ['purge', '--older-than', '7d', '--yes'];
    const [human, machine] = await Promise.all([
      cli([...args, '--store', text], INTERRUPT),
      cli(['--json', ...args, '--store', json], INTERRUPT),
    ]);
    const message =
      'interrupted (SIGINT): purge stopped after deleting 500 executions in 1 batch; the other finished executions it would delete are still there: run it again to go on';
    expect({ code: human.code, signal: human.signal }).toEqual({ code: 130, signal: null });
    expect(human.stderr).toBe(`error: ${message}\n`);
    expect({ code: machine.code, signal: machine.signal }).toEqual({ code: 130, signal: null });
    expect(parseJson<{ error: unknown }>(machine.stdout).error).toEqual({ code: 'INTERRUPTED', message });
    expect(machine.stderr).toBe(`error: ${message}\n`);
    expect(await Promise.all([left(text), left(json)])).toEqual([700, 700]);
  }, 120_000);
});
