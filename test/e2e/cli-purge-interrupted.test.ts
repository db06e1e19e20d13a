/**
 * Ctrl-C during `purge --yes` (here: SIGINT right after its first batch of 500) stops it before
 * the next batch and says how many executions it deleted, in how many batches, with exit 130 and,
 * with `--json`, the INTERRUPTED error document naming them. It said only that purge stopped
 * before it finished, though the batches it ran stay deleted.
 */
import { describe, expect, it } from 'vitest';
import { cli, parseJson, seededStore } from './fixtures/cli-harness.js';

const DAY = 86_400_000;
const INTERRUPT = {
  NODE_OPTIONS: '--import tsx --import ./test/e2e/fixtures/interrupt-after-purge-batch.ts',
};

/** A store with 1,200 executions finished 10 days ago: three batches' worth. */
function seeded(): Promise<string> {
  const now = Date.now();
  return seededStore(
    Array.from({ length: 1200 }, (_, i) => ({
      id: `old-${String(i).padStart(4, '0')}`,
      status: 'completed' as const,
      createdAt: now - 11 * DAY,
      completedAt: now - 10 * DAY,
    })),
  );
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
