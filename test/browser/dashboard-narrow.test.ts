/**
 * The pages declare `width=device-width`, but in a phone-sized window (390 px) the top bar ran
 * off the right edge (Workers and Sign out out of sight) and the whole page scrolled sideways;
 * at 768 px the executions and step tables widened the page. The top bar now wraps, and a table
 * wider than the window scrolls inside its panel, the page itself staying within the window.
 * A 128-character workflow id made the executions page's workflow filter (a `<select>` as wide
 * as its longest option) widen the page at 390 px; the filter now stays within the window.
 * The tables of executions and workflows, scrolling sideways in a narrow window, still squeezed
 * the workflow column to a few characters (`order-f` / `ulfilme` / `nt`): it now keeps room for
 * 16 characters.
 * The execution page's Started and Finished (`2026-12-04 20:16:54 UTC`) wrapped onto two lines in
 * a 1280 px window, the summary's columns being narrower than the time: they now fit one line.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, signIn, startServer } from './helpers.js';

declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): ArrayLike<{ getBoundingClientRect(): { left: number; right: number } }>;
};

const suite = browserSuite();

describe('dashboard in a narrow window', () => {
  it('keeps every page and its navigation within a 390 px and a 768 px window', async () => {
    const server = await startServer({
      orchestrator: {
        actions: {
          ok: () => ({ a: 1 }),
          boom: () => {
            throw Object.assign(new Error('it broke'), { code: 'BOOM' });
          },
        },
        compensations: { undo: () => 1 },
      },
    });
    suite.servers.push(server);
    await server.api('/v1/workflows', {
      body: {
        id: 'w',
        steps: [
          { name: 'ok', compensation: 'undo' },
          {
            name: 'fan',
            parallel: [
              { name: 'a', action: 'ok' },
              { name: 'b', action: 'ok' },
            ],
          },
          { name: 'boom' },
        ],
      },
    });
    // A workflow id of the longest kind (128 characters, no spaces) is an option of the
    // executions page's workflow filter.
    const long = `w${'verylongname'.repeat(11)}`.slice(0, 128);
    await server.api('/v1/workflows', { body: { id: long, steps: [{ name: 'ok' }] } });
    const run = await server.api<{ id: string }>('/v1/workflows/w/executions', { body: { input: { x: 1 } } });
    await server.orch.workflowEngine.waitForCompletion(run.body.id, { timeout: 10 });
    const paths = [
      '/',
      '/workflows',
      '/workflows/w',
      '/executions',
      `/executions/${run.body.id}`,
      '/workers',
      `/workflows/${long}`,
      `/executions?workflowId=${long}`,
    ];
    const outside: Record<string, unknown> = {};
    for (const width of [390, 768]) {
      const context = await suite.browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await signIn(page, server);
      for (const path of paths) {
        await page.goto(server.url + path);
        const found = await page.evaluate(() => {
          const { scrollWidth, clientWidth } = document.documentElement;
          const bar = Array.from(document.querySelectorAll('.topbar a, .topbar button'), (e) => {
            const r = e.getBoundingClientRect();
            return r.left >= 0 && r.right <= clientWidth;
          });
          return {
            pageOverflow: scrollWidth - clientWidth,
            barOutside: bar.filter((inside) => !inside).length,
          };
        });
        if (found.pageOverflow !== 0 || found.barOutside !== 0) outside[`${width} ${path}`] = found;
      }
      await context.close();
    }
    expect(outside).toEqual({});
  }, 60_000);

  it("keeps room for the timeline's bars at 360 and 390 px, the timeline scrolling inside its panel", async () => {
    const server = await startServer({ orchestrator: { actions: { ok: () => 1 } } });
    suite.servers.push(server);
    await server.api('/v1/workflows', {
      body: { id: 'w', steps: [{ name: 'first' }, { name: 'second', action: 'ok' }] },
    });
    const run = await server.api<{ id: string }>('/v1/workflows/w/executions', { body: {} });
    await server.orch.workflowEngine.waitForCompletion(run.body.id, { timeout: 10 });
    const found: Record<number, unknown> = {};
    for (const width of [360, 390]) {
      const context = await suite.browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await signIn(page, server);
      await page.goto(`${server.url}/executions/${run.body.id}`);
      found[width] = await page.evaluate(() => {
        const { scrollWidth, clientWidth } = document.documentElement;
        const tracks = Array.from(document.querySelectorAll('.timeline .tl-track'), (t) => {
          const r = t.getBoundingClientRect();
          return r.right - r.left;
        });
        return { pageOverflow: scrollWidth - clientWidth, narrowestTrack: Math.min(...tracks) >= 200 };
      });
      await context.close();
    }
    // The bars had 4 px at 390 px (15rem of label and 5.5rem of duration beside them).
    expect(found).toEqual({
      360: { pageOverflow: 0, narrowestTrack: true },
      390: { pageOverflow: 0, narrowestTrack: true },
    });
  }, 30_000);

  it('keeps a workflow id of 16 characters on one line in the tables of a 390 px window', async () => {
    const server = await startServer({ orchestrator: { actions: { ok: () => 1 } } });
    suite.servers.push(server);
    const id = 'order-fulfilment';
    await server.api('/v1/workflows', { body: { id, steps: [{ name: 'ok' }] } });
    const run = await server.api<{ id: string }>(`/v1/workflows/${id}/executions`, { body: {} });
    await server.orch.workflowEngine.waitForCompletion(run.body.id, { timeout: 10 });
    const context = await suite.browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    await signIn(page, server);
    const lines: Record<string, number[]> = {};
    for (const path of ['/', '/workflows', '/executions']) {
      await page.goto(server.url + path);
      lines[path] = await page.evaluate(() =>
        Array.from(
          document.querySelectorAll('main table a[href^="/workflows/"]:not(.version-link)'),
          (a) => (a as unknown as { getClientRects(): ArrayLike<unknown> }).getClientRects().length,
        ),
      );
    }
    await context.close();
    expect(lines).toEqual({ '/': [1], '/workflows': [1], '/executions': [1] });
  }, 30_000);

  it("keeps the execution page's Started and Finished on one line at 390, 1024 and 1280 px", async () => {
    const server = await startServer({ orchestrator: { actions: { ok: () => 1 } } });
    suite.servers.push(server);
    await server.api('/v1/workflows', { body: { id: 'w', steps: [{ name: 'ok' }] } });
    const run = await server.api<{ id: string }>('/v1/workflows/w/executions', { body: {} });
    await server.orch.workflowEngine.waitForCompletion(run.body.id, { timeout: 10 });
    const lines: Record<number, number[]> = {};
    for (const width of [390, 1024, 1280]) {
      const context = await suite.browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await signIn(page, server);
      await page.goto(`${server.url}/executions/${run.body.id}`);
      lines[width] = await page.evaluate(() => {
        type Rect = { top: number };
        type Range = { selectNodeContents(node: unknown): void; getClientRects(): ArrayLike<Rect> };
        const doc = document as unknown as {
          createRange(): Range;
          querySelectorAll(selector: string): ArrayLike<{ textContent: string; nextElementSibling: unknown }>;
        };
        const times = Array.from(doc.querySelectorAll('dl.summary dt')).filter((dt) =>
          ['Started', 'Finished'].includes(dt.textContent),
        );
        return times.map((dt) => {
          const range = doc.createRange();
          range.selectNodeContents(dt.nextElementSibling);
          return new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
        });
      });
      await context.close();
    }
    expect(lines).toEqual({ 390: [1, 1], 1024: [1, 1], 1280: [1, 1] });
  }, 30_000);
});
