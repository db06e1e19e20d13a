/**
 * Every time the dashboard shows is UTC, but the execution page's Started and Finished, and the
 * tooltips of the relative times (a node's last heartbeat, an alert's time), showed
 * `2026-12-04 20:07:40` with no zone and no column heading saying it: an operator east or west
 * of Greenwich read them as local time. They now say `UTC`, as the tables' headings do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, setup, signedInCookie, start } from './helpers.js';

afterEach(closeAll);

const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;

describe('dashboard times name their zone', () => {
  it('on the execution page and in the tooltips of relative times', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    await define(f, 'quick', [{ name: 'hi', action: 'greet' }]);
    const id = await start(f, 'quick');
    await f.orch.workflowEngine.waitForCompletion(id);

    const detail = (await f.app.inject({ url: `/executions/${id}`, headers: { cookie } })).body;
    for (const label of ['Started', 'Finished']) {
      const value = new RegExp(`<dt>${label}</dt><dd>([^<]*)</dd>`).exec(detail)?.[1];
      expect(value, label).toMatch(STAMP);
    }
    const workers = (await f.app.inject({ url: '/workers', headers: { cookie } })).body;
    const titles = [...workers.matchAll(/<time datetime="[^"]+" title="([^"]*)"/g)].map((m) => m[1]);
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(title).toMatch(STAMP);
  });
});
