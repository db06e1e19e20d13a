/**
 * What the user typed (a store path, a `--workflow` id) and the CLI repeats in a human line is
 * shown with its control characters escaped, as in its error lines and as the same command's
 * other lines show it, instead of recolouring the terminal.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const url = `sqlite:${store.dir}/a\u001b[31m.sqlite`;
const ESC = '\u001b';

describe('typed values in human lines', () => {
  it('migrate, run, list and metrics show a store path and a workflow id with escapes', async () => {
    const migrate = await cli(['migrate', '--store', url]);
    expect(migrate.code, migrate.stderr).toBe(0);
    const run = await cli(['run', 'test/e2e/fixtures/cli-noop.json', '--store', url]);
    expect(run.code, run.stderr).toBe(0);
    const [list, metrics] = await Promise.all([
      cli(['list', '--status', 'failed', '--store', url]),
      cli(['metrics', '--workflow', `w${ESC}[2J`, '--store', url]),
    ]);
    for (const r of [migrate, run, list, metrics]) {
      expect(r.stdout).not.toContain(ESC);
      expect(r.stdout).toContain('a\\u001b[31m.sqlite');
    }
    expect(metrics.stdout).toContain('Metrics of workflow w\\u001b[2J in');
  }, 120_000);

  it('keeps them as they are in --json output', async () => {
    const r = await cli(['--json', 'metrics', '--workflow', `w${ESC}[2J`, '--store', url]);
    expect(JSON.parse(r.stdout)).toMatchObject({ workflowId: `w${ESC}[2J` });
    expect(JSON.parse(r.stdout).store).toContain(`a${ESC}[31m.sqlite`);
  }, 60_000);
});
