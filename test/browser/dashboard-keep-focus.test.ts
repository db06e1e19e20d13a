/**
 * A keyboard user tabbing through a live panel (the executions list, a running execution's page)
 * lost their place at every refresh: the poll replaced the panel and focus fell back to the
 * page's start, so the next Tab began again from the top bar. The element that had focus is now
 * focused again in the refreshed panel (found by its row and link), without scrolling.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, openPage, signIn, startServer } from './helpers.js';

declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  querySelector(selector: string): { isConnected: boolean } | null;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
};
declare const window: Record<string, unknown>;

const suite = browserSuite();

/**
 * Fires the page's polls (fake clock) and waits until `panel` was replaced by the answer and the
 * swap settled: the focus is put back on `htmx:afterSettle`, which comes a moment (htmx's settle
 * delay) after the new panel is in the page. (Read as soon as the panel was replaced, the focus
 * was at times not back yet, and the test failed about one run in eight.)
 */
async function refresh(page: Page, panel: string): Promise<void> {
  await page.evaluate((selector) => {
    window.__panel = document.querySelector(selector);
    window.__settled = new Promise<void>((resolve) => {
      const settled = () => {
        if ((window.__panel as { isConnected: boolean }).isConnected) return;
        document.removeEventListener('htmx:afterSettle', settled);
        resolve();
      };
      document.addEventListener('htmx:afterSettle', settled);
    });
  }, panel);
  await page.clock.runFor(2_100);
  await page.evaluate(() => window.__settled);
  await page.waitForSelector(panel);
}

describe('dashboard keeps keyboard focus across refreshes', () => {
  it('keeps focus on the link it was on in the overview, the executions list and a running execution', async () => {
    const server = await startServer({
      orchestrator: {
        actions: {
          block: (_input, ctx) =>
            new Promise((_resolve, reject) =>
              ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
            ),
        },
      },
    });
    suite.servers.push(server);
    await server.api('/v1/workflows', { body: { id: 'w', steps: [{ name: 'block' }] } });
    const run = await server.api<{ id: string }>('/v1/workflows/w/executions', { body: {} });
    const id = run.body.id;
    const { page, watch, context } = await openPage(suite.browser);
    await page.clock.install();
    await signIn(page, server);
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('href') ?? null);

    // The overview's latest executions, refreshed out of band with its figures.
    await page.focus(`#overview-panels a[href="/executions/${id}"]`);
    await refresh(page, '#overview-panels');
    expect(await focused()).toBe(`/executions/${id}`);

    await page.goto(`${server.url}/executions`);
    await page.focus(`tr[data-execution="${id}"] a[href="/workflows/w"]`);
    await refresh(page, '#exec-panel');
    expect(await focused()).toBe('/workflows/w');

    await page.goto(`${server.url}/executions/${id}`);
    await page.focus('#exec-detail a[href="/workflows/w?version=1"]');
    await refresh(page, '#exec-detail');
    expect(await focused()).toBe('/workflows/w?version=1');
    // The next key goes on from there: Enter follows the link.
    await Promise.all([page.waitForURL(`${server.url}/workflows/w?version=1`), page.keyboard.press('Enter')]);
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 30_000);
});
