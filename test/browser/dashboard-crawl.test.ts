/**
 * A crawl of the dashboard as a user meets it: signed in, with executions of every kind
 * (completed, failed with a compensation, cancelled, running, pending, one with a parallel
 * step), every page reachable by links from the overview (and the executions filters) is
 * opened, and on each: it answers 200, has a <title> and one <h1>, every form control a label
 * and every drawing a text (or none, hidden from assistive technology), its live fragments load (the
 * polls are fired through a fake clock, not waited for), and nothing failed meanwhile: no console
 * error, no CSP violation, no request answered 4xx/5xx or failing. Then the cancel button and
 * sign-out.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, openPage, type Server, signIn, startServer } from './helpers.js';

declare const document: {
  title: string;
  querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
  addEventListener(type: string, listener: (event: Record<string, unknown>) => void): void;
};
/** What the accessibility checks read of an element. */
interface Element {
  getAttribute(name: string): string | null;
  closest(selector: string): Element | null;
  parentElement: Element | null;
  tagName: string;
  labels?: ArrayLike<{ textContent: string | null }>;
  textContent: string | null;
  outerHTML: string;
}
declare const window: { __cspViolation(text: string): void };

const suite = browserSuite();

const never = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

async function setUp(): Promise<{ server: Server; ids: Record<string, string> }> {
  const server = await startServer({
    orchestrator: {
      maxConcurrentWorkflows: 2,
      actions: {
        ok: () => ({ ok: true }),
        boom: () => {
          throw Object.assign(new Error('it broke'), { code: 'BOOM' });
        },
        block: (_input, ctx) => never(ctx.signal),
      },
      compensations: { undo: () => undefined },
    },
    dashboard: { pageSize: 3 },
  });
  suite.servers.push(server);
  const define = async (body: unknown) => {
    const res = await server.api('/v1/workflows', { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  await define({ id: 'done', steps: [{ name: 'ok' }] });
  await define({ id: 'done', steps: [{ name: 'ok' }, { name: 'again', action: 'ok' }] });
  // No handler for its compensation: the failed undo is an alert on the overview, with links.
  await define({ id: 'alerting', steps: [{ name: 'ok', compensation: 'missing' }, { name: 'boom' }] });
  await define({ id: 'undone', steps: [{ name: 'ok', compensation: 'undo' }, { name: 'boom' }] });
  await define({
    id: 'fan',
    steps: [
      {
        name: 'split',
        parallel: [
          { name: 'a', action: 'ok' },
          { name: 'b', action: 'ok' },
        ],
      },
    ],
  });
  await define({ id: 'stuck', steps: [{ name: 'ok' }, { name: 'wait', action: 'block' }] });
  const engine = server.orch.workflowEngine;
  const run = async (workflow: string) => {
    const res = await server.api<{ id: string }>(`/v1/workflows/${workflow}/executions`, { body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.id;
  };
  const ids: Record<string, string> = {};
  for (const [key, workflow] of [
    ['completed', 'done'],
    ['failed', 'undone'],
    ['parallel', 'fan'],
    ['alerting', 'alerting'],
  ] as const) {
    ids[key] = await run(workflow);
    await engine.waitForCompletion(ids[key], { timeout: 10 });
  }
  ids.cancelled = await run('stuck');
  await until(async () => (await engine.getExecutionStatus(ids.cancelled as string))?.status === 'running');
  expect(await engine.cancelWorkflow(ids.cancelled)).toBe(true);
  ids.running = await run('stuck');
  ids.running2 = await run('stuck');
  ids.pending = await run('stuck');
  await until(async () => (await engine.getExecutionStatus(ids.running2 as string))?.status === 'running');
  expect((await engine.getExecutionStatus(ids.pending))?.status).toBe('pending');
  return { server, ids };
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `/executions?cursor,workflowId`, `/workflows/:id?version`, `/executions/failed`, ... */
function pageKind(path: string, ids: Record<string, string>): string {
  const [pathname = '', search = ''] = path.split('?');
  const execution = Object.entries(ids).find(([, id]) => pathname === `/executions/${id}`)?.[0];
  const shape = execution
    ? `/executions/${['failed', 'parallel', 'running', 'pending'].includes(execution) ? execution : 'other'}`
    : pathname.replace(/^\/workflows\/[^/]+$/, '/workflows/:id');
  const keys = [...new URLSearchParams(search).keys()].map((k) =>
    k === 'before' || k === 'after' ? 'cursor' : k,
  );
  return `${shape}?${[...new Set(keys)].sort()}`;
}

/** What the browser reported while crawling, as lines naming the page it happened on. */
interface Problems {
  where: string;
  list: string[];
}

function watchProblems(page: Page, server: Server): Problems {
  const problems: Problems = { where: '', list: [] };
  const note = (text: string) => problems.list.push(`${problems.where}: ${text}`);
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content.Security.Policy/i.test(msg.text())) note(`console ${msg.text()}`);
  });
  page.on('pageerror', (error) => note(`pageerror ${error.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) note(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    // A poll in flight when the crawl moves on is aborted by the navigation, not failed.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && req.url().startsWith(`${server.url}/ui/`)) return;
    note(`failed ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  return problems;
}

/** The polled fragments on the page, fired once now (fake clock) and answered. */
async function firePolls(page: Page, where: string): Promise<number> {
  const urls = await page.evaluate(() =>
    Array.from(document.querySelectorAll('[hx-trigger*="every"]'), (e) => e.getAttribute('hx-get') as string),
  );
  if (urls.length === 0) return 0;
  const answers = urls.map((url) =>
    page.waitForResponse((r) => new URL(r.url()).pathname + new URL(r.url()).search === url, {
      timeout: 5_000,
    }),
  );
  const swapped = page.evaluate(
    (n) =>
      new Promise<void>((resolve) => {
        let left = n;
        document.addEventListener('htmx:afterSettle', () => {
          if (--left === 0) resolve();
        });
      }),
    urls.length,
  );
  await page.clock.runFor(2_100);
  for (const answer of answers) expect((await answer).status(), `${where} polls`).toBe(200);
  await swapped;
  return urls.length;
}

describe('dashboard crawl in Chromium', () => {
  it('every page reachable from the overview loads cleanly, polls, and links only to pages that answer', async () => {
    const { server, ids } = await setUp();
    const { page, context } = await openPage(suite.browser, { acceptDialogs: true });
    const problems = watchProblems(page, server);
    await context.exposeFunction('__cspViolation', (text: string) =>
      problems.list.push(`${problems.where}: CSP ${text}`),
    );
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__cspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
      );
    });
    await page.clock.install();
    problems.where = 'sign-in';
    await signIn(page, server);

    const seen = new Set<string>(['/']);
    const queue = ['/'];
    let polled = 0;
    let alertLinks = 0;
    const kinds = new Set<string>();
    const follow = (href: string, from: string) => {
      const url = new URL(href, server.url + from);
      const target = url.pathname + url.search;
      if (url.origin !== server.url || url.pathname.startsWith('/assets/') || seen.has(target)) return;
      seen.add(target);
      queue.push(target);
    };
    while (queue.length > 0) {
      const path = queue.shift() as string;
      problems.where = path;
      // The first page of each kind is opened in the browser (an execution's kind is its status:
      // one with a timeline of a parallel step, a compensation, a cancel button, a queue); the
      // others are fetched with the session's cookie (fast) and their links followed too.
      const kind = pageKind(path, ids);
      if (kinds.has(kind)) {
        const res = await context.request.get(server.url + path, { maxRedirects: 0 });
        const text = await res.text();
        expect(res.status(), path).toBe(200);
        expect(text, `${path} title`).toMatch(/<title>[^<]*\S · Orchestrator<\/title>/);
        expect(text.match(/<h1[ >]/g)?.length, `${path} h1`).toBe(1);
        for (const [, href] of text.matchAll(/<a [^>]*href="([^"]*)"/g))
          follow((href as string).replaceAll('&amp;', '&'), path);
        continue;
      }
      kinds.add(kind);
      const res = await page.goto(server.url + path);
      expect(res?.status(), path).toBe(200);
      expect(new URL(page.url()).pathname + new URL(page.url()).search, `${path} not redirected`).toBe(path);
      // Deferred scripts (htmx among them) have run by the load event `goto` waits for.
      expect(await page.evaluate(() => 'htmx' in globalThis), `${path} htmx`).toBe(true);
      expect(await page.title(), `${path} title`).toMatch(/\S · Orchestrator$/);
      expect(await page.locator('h1').count(), `${path} h1`).toBe(1);
      polled += await firePolls(page, path);
      // Ids unique, and every htmx target on the page.
      const structure = await page.evaluate(() => {
        const ids = Array.from(document.querySelectorAll('[id]'), (e) => e.getAttribute('id') as string);
        const targets = Array.from(
          document.querySelectorAll('[hx-target]'),
          (e) => e.getAttribute('hx-target') as string,
        );
        // Every control has a name (a label, or a button's text); every drawing either has one
        // or is hidden from assistive technology.
        // A label's own text, not its control's (a select's options).
        const text = (e: { textContent: string | null }, less = '') =>
          (e.textContent ?? '').replace(less, '').trim() !== '';
        const unnamed = (e: Element) =>
          !e.getAttribute('aria-label') &&
          !(e.tagName === 'BUTTON'
            ? text(e)
            : Array.from(e.labels ?? []).some((l) => text(l, e.textContent ?? '')));
        // Named by other elements (`aria-labelledby`): each there, and with text.
        const byId = (id: string) =>
          (
            document as unknown as { getElementById(id: string): { textContent: string | null } | null }
          ).getElementById(id);
        const labelledBy = (e: Element) => {
          const ids = (e.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
          return ids.length > 0 && ids.every((id) => text(byId(id) ?? { textContent: '' }));
        };
        const unlabelled = Array.from(
          document.querySelectorAll('input:not([type="hidden"]), select, textarea, button'),
          (e) => e as unknown as Element,
        )
          .filter(unnamed)
          .map((e) => e.outerHTML.slice(0, 80));
        const drawings = Array.from(
          document.querySelectorAll('svg, img, [role="img"]'),
          (e) => e as unknown as Element,
        )
          .filter(
            (e) =>
              !e.closest('[aria-hidden="true"]') &&
              !e.getAttribute('aria-label') &&
              !e.getAttribute('alt') &&
              !labelledBy(e),
          )
          .filter((e) => !e.parentElement?.closest('[role="img"][aria-label], [role="img"][aria-labelledby]'))
          .map((e) => e.outerHTML.slice(0, 80));
        return {
          duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
          missingTargets: targets.filter((t) => document.querySelectorAll(t).length !== 1),
          unlabelled,
          drawings,
        };
      });
      expect(structure, path).toEqual({ duplicateIds: [], missingTargets: [], unlabelled: [], drawings: [] });
      if (path === '/') alertLinks = await page.locator('a.alert-link').count();
      const links = await page.evaluate(() => [
        ...Array.from(document.querySelectorAll('a[href]'), (a) => a.getAttribute('href') as string),
        // The filters: each option of the executions page's selects.
        ...Array.from(
          document.querySelectorAll('#exec-filters select option'),
          (o) =>
            `/executions?${(o as unknown as { parentElement: { name: string } }).parentElement.name}=${o.getAttribute('value')}`,
        ),
      ]);
      for (const href of links) follow(href, path);
    }
    // Every kind of page was met, each execution's among them, pages of the list by cursor too.
    for (const id of Object.values(ids)) expect(seen.has(`/executions/${id}`), id).toBe(true);
    expect([...seen].some((p) => p.includes('before='))).toBe(true);
    expect([...seen].some((p) => p.includes('after='))).toBe(true);
    expect(seen.has('/workers')).toBe(true);
    expect(seen.has('/workflows/fan')).toBe(true);
    expect(seen.has('/workflows/done?version=1')).toBe(true);
    expect(polled).toBeGreaterThan(5);
    expect(alertLinks).toBe(2);
    expect(problems.list).toEqual([]);
    expect(kinds.size).toBeGreaterThan(8);

    // The timeline of the parallel one shows its branches.
    await page.goto(`${server.url}/executions/${ids.parallel}`);
    expect(await page.locator('.tl-row-branch').count()).toBe(2);

    // Cancel a running one with the button: the page follows, the pending one starts.
    problems.where = 'cancel';
    await page.goto(`${server.url}/executions/${ids.running}`);
    const answered = page.waitForResponse((r) => r.url().endsWith(`/executions/${ids.running}/cancel`));
    await page.locator('#cancel-execution').click();
    expect((await answered).status()).toBe(200);
    await page.waitForSelector('#exec-detail[data-status="cancelled"]');
    expect(await page.locator('.notice').textContent()).toBe('Cancelled.');
    expect(await page.locator('#cancel-execution').count()).toBe(0);

    // Sign out: back to the sign-in page, and the pages ask to sign in again.
    problems.where = 'sign-out';
    await Promise.all([page.waitForURL(`${server.url}/login`), page.click('form.signout button')]);
    expect(await page.locator('h1').count()).toBe(1);
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${server.url}/executions`);
    expect(page.url()).toBe(`${server.url}/login?next=%2Fexecutions`);
    expect(problems.list).toEqual([]);
    await context.close();
  }, 60_000);
});
