/**
 * The executions list with no match: it said "No executions match." under the table's headings
 * over no row. It now shows no table until an execution matches; the panel still polls itself
 * (and keeps its pager), so the table appears with the first execution.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, setup, signedInCookie, start } from './helpers.js';

afterEach(closeAll);

describe('dashboard executions list with no match', () => {
  it('shows no table until an execution matches, and keeps polling', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    for (const url of ['/executions', '/ui/executions', '/ui/executions?status=failed']) {
      const res = await f.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('No executions match.');
      expect(res.body, url).not.toContain('<table');
      expect(res.body, url).toMatch(
        /<section id="exec-panel" hx-get="\/ui\/executions[^"]*" hx-trigger="every 2s"/,
      );
      expect(res.body, url).toContain('<nav class="pager" aria-label="Pages">');
    }

    await define(f, 'hello', [{ name: 'greet' }]);
    const id = await start(f, 'hello');
    const poll = await f.app.inject({ url: '/ui/executions', headers: { cookie } });
    expect(poll.body).toContain('<table class="executions">');
    expect(poll.body).toContain(`<tr data-execution="${id}"`);
    // A cursor past the last execution: no older one, no table.
    const older = await f.app.inject({ url: `/ui/executions?before=${id}`, headers: { cookie } });
    expect(older.body).toContain('No older executions · 1 in all');
    expect(older.body).not.toContain('<table');
  });
});
