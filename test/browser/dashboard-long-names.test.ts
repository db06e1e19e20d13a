/**
 * Names of 128 characters without a space (the longest a step or a remote worker's label may be):
 * the Bottleneck card of a workflow page shows two lines of the name at most (the whole of it in
 * the title) instead of growing its row of cards a line per 20 characters, and
 * the workers page's remote-worker table stays within the window instead of widening it.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, openPage, signIn, startServer } from './helpers.js';

// The browser globals the page function below touches (this test program has no DOM lib).
declare function getComputedStyle(element: never): { fontSize: string };
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): ArrayLike<{ scrollWidth: number; clientWidth: number }>;
};

const suite = browserSuite();

describe('dashboard with 128-character names, in Chromium', () => {
  it('keeps the Bottleneck card as tall as its neighbours and the remote workers within the window', async () => {
    const step = `s${'stepnamelong'.repeat(11)}`.slice(0, 128);
    const name = `n${'workernamelong'.repeat(10)}`.slice(0, 128);
    const server = await startServer({
      orchestrator: { actions: { [step]: () => new Promise((r) => setTimeout(() => r(1), 5)) } },
    });
    suite.servers.push(server);
    expect(
      (await server.api('/v1/workflows', { body: { id: 'long', steps: [{ name: step }] } })).status,
    ).toBe(201);
    const run = await server.api<{ id: string }>('/v1/workflows/long/executions', { body: {} });
    await server.orch.workflowEngine.waitForCompletion(run.body.id, { timeout: 10 });
    const registered = await server.api('/v1/remote-workers', { body: { name, actions: ['stt'] } });
    expect(registered.status).toBe(201);

    const { page, watch, context } = await openPage(suite.browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, server);
    await page.goto(`${server.url}/workflows/long`);
    const value = page.locator('[data-stat="bottleneck"] .stat-value');
    expect(await value.getAttribute('title')).toBe(step);
    // Two lines of its font at most (unclamped, the name took seven lines and the row grew with it).
    const lines = await value.evaluate((e) => {
      const el = e as unknown as { getBoundingClientRect(): { height: number } };
      const font = Number.parseFloat(getComputedStyle(e as never).fontSize);
      return el.getBoundingClientRect().height / font;
    });
    expect(lines).toBeGreaterThan(0);
    expect(lines).toBeLessThan(3.2);

    await page.goto(`${server.url}/workers`);
    expect(await page.locator('table.remote-workers .rw-name').textContent()).toBe(name);
    const overflow = await page.evaluate(() =>
      Math.max(
        document.documentElement.scrollWidth - document.documentElement.clientWidth,
        ...Array.from(document.querySelectorAll('main .panel, main table')).map(
          (e) => e.scrollWidth - e.clientWidth,
        ),
      ),
    );
    expect(overflow).toBe(0);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 30_000);
});
