/**
 * `list --workflow <id>` with an id the store has no workflow of (a typo: `cli-nop`) printed
 * "No executions match" and nothing more, as for a workflow that simply has no such executions,
 * while `metrics --workflow` names the workflows the store knows for the same typo. `list` now says
 * so too: `No workflow cli-nop is defined in this store (it knows cli-noop). Did you mean cli-noop?`
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());
beforeAll(async () => {
  const r = await cli(['run', 'test/e2e/fixtures/cli-noop.json', '--store', store.url]);
  expect(r.code).toBe(0);
});

describe('list --workflow with a workflow the store does not know', () => {
  it('names the workflows it knows', async () => {
    const r = await cli(['list', '--store', store.url, '--workflow', 'cli-nop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `No executions match in store ${store.url}.\n\nNo workflow cli-nop is defined in this store (it knows cli-noop). Did you mean cli-noop?\n`,
    );
  });

  it('says nothing more for a known workflow without matches, nor with --json', async () => {
    const [known, json] = await Promise.all([
      cli(['list', '--store', store.url, '--workflow', 'cli-noop', '--status', 'failed']),
      cli(['list', '--store', store.url, '--workflow', 'cli-nop', '--json']),
    ]);
    expect(known.stdout).toBe(`No executions match in store ${store.url}.\n`);
    expect(parseJson(json.stdout)).toEqual([]);
  });
});
