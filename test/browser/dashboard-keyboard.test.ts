/**
 * The dashboard from the keyboard: every page's first Tab stop used to be the top bar (the brand,
 * four sections and sign-out before any content, on every page). It is now a "Skip to content"
 * link, out of sight until focused, that moves the focus into the page's content; the top bar's
 * navigation is named, as the pager's is, so the two navigation landmarks of a page tell apart.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, openPage, signIn, startServer } from './helpers.js';

declare const document: {
  activeElement: { tagName: string; id: string; getAttribute(name: string): string | null } | null;
  querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
};
declare const window: { innerHeight: number };

const suite = browserSuite();

describe('dashboard from the keyboard, in Chromium', () => {
  it('skips the top bar with the first Tab stop, and names each navigation', async () => {
    const server = await startServer({ orchestrator: { actions: { ok: () => 1 } } });
    suite.servers.push(server);
    await server.api('/v1/workflows', { body: { id: 'w', steps: [{ name: 'ok' }] } });
    const { page, context, watch } = await openPage(suite.browser);
    try {
      await signIn(page, server);
      await page.goto(`${server.url}/executions`);
      const skip = page.locator('a.skip-link');
      // Out of sight until it has the focus.
      expect((await skip.boundingBox())?.y ?? 0).toBeLessThan(0);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('class'))).toBe('skip-link');
      expect(await skip.textContent()).toBe('Skip to content');
      const box = await skip.boundingBox();
      expect(box && box.y >= 0 && box.y + box.height <= 800).toBe(true);

      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('MAIN');
      // The next stop is the page's first control (the status filter), not the top bar.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('status');

      const navs = await page.evaluate(() =>
        Array.from(document.querySelectorAll('nav'), (n) => n.getAttribute('aria-label')),
      );
      expect(navs).toEqual(['Sections', 'Pages']);
      expect(watch.errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 30_000);
});
