/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core), against a real
 * service on 127.0.0.1 with a SQLite store:
 * - sign in, start executions over the API, watch one complete live (htmx, no reload), open
 *   its timeline, cancel another and see its status change;
 * - workflow descriptions, ids in URLs, inputs, outputs, idempotency keys and errors carrying
 *   script payloads: no script runs, no dialog opens, the payload shows as text;
 * - a step output opened on a running execution stays open through its refreshes, and text
 *   selected in a live panel stays selected (the poll does not replace it meanwhile);
 * - a cancel whose compensation outlasts a refresh of the detail still shows its outcome;
 * - 128-character workflow ids, step names and error codes wrap inside their panels instead of
 *   widening the page;
 * - the latency chart shows a bucket with no neighbours (light traffic) as a point;
 * - the charts' times are UTC, as the tables' are, in a browser set to another time zone;
 * - paging the executions by cursor meets each once while new ones arrive between page loads,
 *   keeping the filters, and an older page's poll keeps its rows;
 * - a wrong token does not sign in.
 * Every page is also checked for console errors (CSP violations show up there).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ActionHandler } from '../../src/types.js';
import {
  browserSuite,
  openPage,
  type PageWatch,
  type Server,
  signIn,
  startServer,
  until,
} from './helpers.js';

// The browser globals the page functions below touch (this test program has no DOM lib).
declare const window: Record<string, unknown>;
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): unknown;
  querySelectorAll(selector: string): ArrayLike<{ scrollWidth: number; clientWidth: number }>;
  body: {
    addEventListener(type: string, listener: (event: unknown) => void, options?: { once: boolean }): void;
  };
};

const suite = browserSuite();
const servers = suite.servers;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Handlers of the live test; `finish` waits for `release` so the test sees the execution running. */
function liveActions(release: Promise<void>): Record<string, ActionHandler> {
  return {
    prepare: () => ({ prepared: true }),
    work: async (_input, ctx) => {
      if (ctx.stepName === 'finish') await Promise.race([release, sleep(600_000, ctx.signal)]);
      else await sleep(200, ctx.signal);
      return { worked: ctx.stepName };
    },
    flaky: (_input, ctx) => {
      if (ctx.attempt === 1) throw Object.assign(new Error('first attempt fails'), { code: 'FLAKY' });
      return { attempt: ctx.attempt };
    },
    block: (_input, ctx) => sleep(600_000, ctx.signal),
  };
}

async function serve(actions: Record<string, ActionHandler>): Promise<Server> {
  const server = await startServer({ orchestrator: { actions } });
  servers.push(server);
  return server;
}

async function define(server: Server, body: unknown): Promise<void> {
  const res = await server.api('/v1/workflows', { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function execute(server: Server, workflow: string, body: unknown = {}): Promise<string> {
  const res = await server.api<{ id: string }>(`/v1/workflows/${encodeURIComponent(workflow)}/executions`, {
    body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
}

function expectClean(watch: PageWatch, allowed: RegExp[] = []): void {
  const errors = watch.errors.filter((e) => !allowed.some((re) => re.test(e)));
  expect(errors).toEqual([]);
}

describe('dashboard in Chromium', () => {
  it('signs in, follows an execution live, shows its timeline, and cancels another', async () => {
    let release!: () => void;
    const server = await serve(liveActions(new Promise<void>((resolve) => (release = resolve))));
    await define(server, {
      id: 'live',
      steps: [
        { name: 'prepare' },
        { name: 'flaky', retry: { maxAttempts: 2, initialDelay: 0.3 } },
        {
          name: 'fanout',
          parallel: [
            { name: 'left', action: 'work' },
            { name: 'right', action: 'prepare' },
          ],
        },
        { name: 'finish', action: 'work' },
      ],
      options: { description: 'A short workflow to watch' },
    });
    await define(server, { id: 'blocking', steps: [{ name: 'prepare' }, { name: 'wait', action: 'block' }] });

    const { page, watch, context } = await openPage(suite.browser, { acceptDialogs: true });
    await signIn(page, server);
    await page.waitForSelector('[data-stat="success-rate"]');
    await page.waitForSelector('[data-chart="throughput"] canvas');
    await page.waitForSelector('[data-chart="latency"] canvas');

    const live = await execute(server, 'live', { input: { order: 42 } });
    const blocked = await execute(server, 'blocking');

    // The list follows the execution without reloading the page.
    await page.click('nav a[href="/executions"]');
    await page.waitForURL(`${server.url}/executions`);
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    await page.waitForSelector(`tr[data-execution="${live}"][data-status="running"]`, { timeout: 10_000 });
    release();
    await page.waitForSelector(`tr[data-execution="${live}"][data-status="completed"]`, { timeout: 15_000 });
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);

    // Its timeline: two attempts of the flaky step with the retry wait between, branches as rows.
    await page.click(`tr[data-execution="${live}"] a[href="/executions/${live}"]`);
    await page.waitForURL(`${server.url}/executions/${live}`);
    await page.waitForSelector('#exec-detail[data-status="completed"]');
    expect(await page.locator('.tl-row[data-step="flaky"] rect.tl-attempt').count()).toBe(2);
    expect(await page.locator('.tl-row[data-step="flaky"] rect.tl-wait').count()).toBe(1);
    expect(await page.locator('.tl-row-branch').count()).toBe(2);
    expect(await page.locator('.tl-row[data-step="finish"] rect.tl-attempt.tl-ok').count()).toBe(1);
    expect(await page.locator('#cancel-execution').count()).toBe(0);
    expect(await page.locator('pre.json[aria-label="input"]').textContent()).toContain('"order": 42');

    // Filter to the running one, open it and cancel it.
    await page.goto(`${server.url}/executions`);
    await page.selectOption('select[name="status"]', 'running');
    await page.waitForURL(`${server.url}/executions?status=running`);
    await until(async () => (await page.locator('#exec-panel tr[data-execution]').count()) === 1);
    await page.click(`tr[data-execution="${blocked}"] a[href="/executions/${blocked}"]`);
    await page.waitForSelector('#exec-detail[data-status="running"]');
    // One click event, not a mouse press and release, which a refresh in between would lose.
    await page.locator('#cancel-execution').dispatchEvent('click');
    await page.waitForSelector('#exec-detail[data-status="cancelled"]', { timeout: 10_000 });
    expect(await page.locator('#exec-status').textContent()).toBe('cancelled');
    expect(await page.locator('.notice').textContent()).toBe('Cancelled.');
    const api = await server.api<{ status: string }>(`/v1/executions/${blocked}`);
    expect(api.body.status).toBe('cancelled');
    // With JavaScript the dialog asks, not the confirmation page of a browser without it.
    expect(page.url()).toBe(`${server.url}/executions/${blocked}`);
    expect(watch.dialogs).toEqual([
      `confirm: Cancel execution ${blocked}? Completed steps with a compensation are undone.`,
    ]);

    // The other sections render too.
    await page.click('nav a[href="/workers"]');
    await page.waitForSelector('.lb-row[data-worker="worker_1"]');
    await page.waitForSelector(`tr[data-node="${server.orch.nodeId}"]`);
    await page.click('nav a[href="/workflows"]');
    await page.click('tr[data-workflow="live"] a[href="/workflows/live"]');
    await page.waitForSelector('[data-stat="bottleneck"]');
    expect(await page.locator('table.definition tr[data-step]').count()).toBe(6);

    const cookies = await context.cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['orch_session', true, 'Strict']]);
    expectClean(watch);
    await context.close();
  }, 60_000);

  it('runs no script from workflow data, ids, inputs, outputs or errors', async () => {
    const XSS = [
      '<img src=x onerror=window.__xss=1>',
      '"><script>window.__xss=1</script>',
      "'><svg onload=window.__xss=1>",
      'javascript:window.__xss=1',
      '" hx-get="/logout" hx-trigger="load" x="',
      '</textarea></pre><script>alert(1)</script>',
      '<a href="javascript:alert(1)">click</a>',
    ];
    const all = XSS.join(' ');
    const server = await serve({
      echo: (input) => ({ echoed: input, [XSS[0] as string]: XSS[1], link: XSS[6] }),
      explode: () => {
        throw Object.assign(new Error(`rejected ${all}`), { code: XSS[0] });
      },
    });
    await define(server, {
      id: 'xss-wf',
      steps: [{ name: 'echo' }, { name: 'explode' }],
      options: { description: all },
    });
    const failed = await execute(server, 'xss-wf', {
      input: { note: all, [XSS[2] as string]: XSS[3] },
      idempotencyKey: XSS[1],
    });
    await server.orch.workflowEngine.waitForCompletion(failed, { timeout: 10 });

    const { page, watch, context } = await openPage(suite.browser);
    await signIn(page, server);
    const payloadUrl = encodeURIComponent(XSS[0] as string);
    const pages: { path: string; status: number; shows?: string }[] = [
      { path: '/', status: 200 },
      { path: '/workflows', status: 200, shows: XSS[0] },
      { path: '/workflows/xss-wf', status: 200, shows: XSS[1] },
      { path: '/executions', status: 200, shows: XSS[0] },
      // A filter that is no workflow id is refused (400, echoed escaped); an unknown one is offered.
      { path: `/executions?workflowId=${payloadUrl}`, status: 400 },
      { path: '/executions?workflowId=no-such-wf', status: 200 },
      { path: `/executions/${failed}`, status: 200, shows: XSS[5] },
      { path: `/workflows/${payloadUrl}`, status: 404, shows: XSS[0] },
      { path: `/executions/${payloadUrl}`, status: 404, shows: XSS[0] },
      { path: `/executions?status=${encodeURIComponent(XSS[1] as string)}`, status: 400, shows: XSS[1] },
    ];
    for (const p of pages) {
      const res = await page.goto(server.url + p.path);
      expect(res?.status(), p.path).toBe(p.status);
      if (p.path.startsWith(`/executions/${failed}`)) {
        for (const summary of await page.locator('details summary').all()) await summary.click();
      }
      // Where the page polls, let htmx swap in a fresh fragment at least once.
      if ((await page.locator('[hx-trigger*="every"]').count()) > 0) {
        await page.evaluate(
          () =>
            new Promise((resolve) =>
              document.body.addEventListener('htmx:afterSettle', resolve, { once: true }),
            ),
        );
      }
      await assertNoScript(page, p.path);
      if (p.path.includes('workflowId=') && p.status === 200) {
        // The unknown workflow id is offered, as text, in the filter.
        expect(await page.locator('select[name="workflowId"]').inputValue()).toBe('no-such-wf');
      }
      if (p.shows) {
        const shown = page.locator('main').getByText(p.shows, { exact: false }).first();
        expect(await shown.isVisible(), `${p.path} shows ${p.shows}`).toBe(true);
      }
    }
    expect(page.url()).not.toContain('/login'); // the hx-get="/logout" payload did not fire
    expect(watch.dialogs).toEqual([]);
    // Error pages are fetched with their 4xx status, which Chromium logs; nothing else may appear.
    expectClean(watch, [/status of 40[04]/]);
    await context.close();
  }, 90_000);

  it('keeps a step output the user opened open while the running execution refreshes', async () => {
    const server = await serve(liveActions(new Promise<void>(() => {})));
    await define(server, { id: 'opened', steps: [{ name: 'prepare' }, { name: 'wait', action: 'block' }] });
    const id = await execute(server, 'opened');
    const { page, watch, context } = await openPage(suite.browser);
    await signIn(page, server);
    await page.goto(`${server.url}/executions/${id}`);
    await page.waitForSelector('tr[data-step="prepare"] details summary');
    await page.click('tr[data-step="prepare"] details summary');
    // Two refreshes (every second) later.
    for (let i = 0; i < 2; i++) {
      await page.waitForResponse((r) => r.url().endsWith(`/ui/executions/${id}`));
    }
    await page.waitForTimeout(100);
    const opened = page.locator('tr[data-step="prepare"] details[open] pre.json');
    expect(await opened.count()).toBe(1);
    expect(await opened.textContent()).toContain('"prepared": true');
    expectClean(watch);
    await context.close();
  }, 30_000);

  it('keeps text the user selected in a live panel selected across its refreshes', async () => {
    const server = await serve(liveActions(new Promise<void>(() => {})));
    await define(server, { id: 'selected', steps: [{ name: 'wait', action: 'block' }] });
    const id = await execute(server, 'selected');
    const { page, watch, context } = await openPage(suite.browser);
    await signIn(page, server);
    await page.goto(`${server.url}/executions/${id}`);
    await page.waitForSelector('#exec-detail h1 .mono');
    // Select the execution id, as a user about to copy it does.
    const selectId = () =>
      page.evaluate(() => {
        const w = window as unknown as {
          getSelection(): {
            removeAllRanges(): void;
            selectAllChildren(node: unknown): void;
            toString(): string;
          };
        };
        const sel = w.getSelection();
        sel.removeAllRanges();
        sel.selectAllChildren(document.querySelector('#exec-detail h1 .mono'));
        return sel.toString();
      });
    expect(await selectId()).toBe(id);
    const heading = await page.$('#exec-detail h1');
    for (let i = 0; i < 2; i++) {
      await page.waitForResponse((r) => r.url().endsWith(`/ui/executions/${id}`));
    }
    await page.waitForTimeout(100);
    expect(
      await page.evaluate(() => String((window as unknown as { getSelection(): unknown }).getSelection())),
    ).toBe(id);
    // Not replaced meanwhile: the element the selection lives in is still in the page.
    expect(await heading?.evaluate((h) => (h as { isConnected: boolean }).isConnected)).toBe(true);
    // Once the selection ends, the next poll replaces the panel again.
    await page.evaluate(() =>
      (window as unknown as { getSelection(): { removeAllRanges(): void } }).getSelection().removeAllRanges(),
    );
    await page.waitForResponse((r) => r.url().endsWith(`/ui/executions/${id}`));
    await until(async () => !(await heading?.evaluate((h) => (h as { isConnected: boolean }).isConnected)));
    expectClean(watch);
    await context.close();
  }, 30_000);

  it('shows the outcome of a cancel that outlasts a refresh of the page (a slow compensation)', async () => {
    // The cancel answers once the compensations ran; meanwhile the detail refreshes itself
    // every second and replaces the element the cancel form was in.
    const server = await startServer({
      orchestrator: {
        actions: { prepare: () => 1, block: (_input, ctx) => sleep(600_000, ctx.signal) },
        compensations: { undo: (_input, ctx) => sleep(1_600, ctx.signal) },
      },
    });
    servers.push(server);
    await define(server, {
      id: 'slow-undo',
      steps: [
        { name: 'prepare', compensation: 'undo' },
        { name: 'wait', action: 'block' },
      ],
    });
    const id = await execute(server, 'slow-undo');
    const { page, watch, context } = await openPage(suite.browser, { acceptDialogs: true });
    await signIn(page, server);
    await page.goto(`${server.url}/executions/${id}`);
    await page.waitForSelector('#exec-detail[data-status="running"] #cancel-execution');
    const refreshed = page.waitForResponse((r) => r.url().endsWith(`/ui/executions/${id}`));
    const answered = page.waitForResponse((r) => r.url().endsWith(`/executions/${id}/cancel`));
    // One click event, not a mouse press and release, which a refresh in between would lose.
    await page.locator('#cancel-execution').dispatchEvent('click');
    await refreshed; // the page refreshed while the cancel was still running
    await answered;
    await page.waitForSelector('#exec-detail[data-status="cancelled"]');
    await until(async () => (await page.locator('.notice').count()) > 0, 3_000);
    expect(await page.locator('.notice').textContent()).toBe('Cancelled.');
    expect(await page.locator('#exec-detail').count()).toBe(1);
    expectClean(watch);
    await context.close();
  }, 30_000);

  it('keeps every page within the window when ids, step names and errors are 128 characters long, and a step error of 8 Ki characters within its row', async () => {
    // Names are [A-Za-z0-9_.-]{1,128}: no spaces, so nothing wraps them unless the page lets it.
    const wf = `w${'verylongname'.repeat(11)}`.slice(0, 128);
    const step = `s${'stepnamelong'.repeat(11)}`.slice(0, 128);
    const server = await serve({
      [step]: () => ({ ok: true }),
      boom: () => {
        throw Object.assign(new Error(`E${'e'.repeat(300)}${' and more'.repeat(1000)}`), {
          code: `C${'Q'.repeat(120)}`,
        });
      },
    });
    await define(server, {
      id: wf,
      steps: [
        // No compensation handler: its failure puts an alert with both names on the overview.
        { name: step, compensation: step },
        { name: 'fan', parallel: [{ name: `${step.slice(0, 120)}_branch`, action: step }] },
        { name: 'boom' },
      ],
      options: { description: `D${'d'.repeat(300)}` },
    });
    const id = await execute(server, wf, {
      input: { x: `I${'i'.repeat(300)}` },
      idempotencyKey: `K${'k'.repeat(200)}`,
    });
    await server.orch.workflowEngine.waitForCompletion(id, { timeout: 10 });

    const { page, watch, context } = await openPage(suite.browser);
    await signIn(page, server);
    const paths = [
      '/',
      '/workflows',
      `/workflows/${wf}`,
      '/executions',
      `/executions?workflowId=${wf}`,
      `/executions/${id}`,
    ];
    const overflow: Record<string, number> = {};
    for (const path of paths) {
      await page.goto(server.url + path);
      await page.waitForSelector('main');
      // Wider than the window, or than a panel or table it sits in.
      overflow[path] = await page.evaluate(() =>
        Math.max(
          document.documentElement.scrollWidth - document.documentElement.clientWidth,
          ...Array.from(document.querySelectorAll('main .panel, main table')).map(
            (e) => e.scrollWidth - e.clientWidth,
          ),
        ),
      );
    }
    expect(overflow).toEqual(Object.fromEntries(paths.map((p) => [p, 0])));
    // A step's error of the longest kind (the engine keeps 8 Ki characters) scrolls inside its
    // cell of the step table (the whole of it is in the error box above), not a row pages tall.
    const boomRow = await page.locator('table.steps tr[data-step="boom"]').boundingBox();
    expect(boomRow?.height).toBeLessThan(250);
    expectClean(watch);
    await context.close();
  }, 60_000);

  it('draws the latency of executions that finished in a bucket of their own', async () => {
    // Light traffic: one execution per 5 s bucket, with empty buckets around it. A line needs
    // two neighbouring values, so such a bucket must show as a point.
    const server = await serve({ prepare: () => 1 });
    await define(server, { id: 'lone', steps: [{ name: 'prepare' }] });
    await server.orch.workflowEngine.waitForCompletion(await execute(server, 'lone'), { timeout: 10 });
    const { page, watch, context } = await openPage(suite.browser);
    await signIn(page, server);
    await page.waitForSelector('[data-chart="latency"] canvas');
    // Pixels of the average (#2563eb) or p95 (#ea580c) colour on the latency canvas.
    const drawn = () =>
      page.evaluate(() => {
        const canvas = document.querySelector('[data-chart="latency"] canvas') as unknown as {
          width: number;
          height: number;
          getContext(kind: '2d'): { getImageData(...a: number[]): { data: ArrayLike<number> } };
        };
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        const near = (i: number, rgb: number[]) => rgb.every((v, k) => Math.abs((data[i + k] ?? 0) - v) < 40);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (near(i, [0x25, 0x63, 0xeb]) || near(i, [0xea, 0x58, 0x0c])) n++;
        }
        return n;
      });
    await until(async () => (await drawn()) > 10, 4_000);
    // Each chart is named by its figures in words, which come again with each redraw (every 5 s).
    const named = (name: RegExp) => page.getByRole('img', { name }).count();
    expect(await named(/^Throughput, last 10 min: 1 execution finished; at most 1 per 5 s/)).toBe(1);
    expect(await named(/^Latency, last 10 min: average \d+ ms, p95 at most \d+ ms; /)).toBe(1);
    await server.orch.workflowEngine.waitForCompletion(await execute(server, 'lone'), { timeout: 10 });
    await until(async () => (await named(/^Throughput, last 10 min: 2 executions finished;/)) === 1, 8_000);
    expectClean(watch);
    await context.close();
  }, 30_000);

  it('labels the charts in UTC, as every other time on the dashboard, whatever the browser zone', async () => {
    const server = await serve({ prepare: () => 1 });
    await define(server, { id: 'zoned', steps: [{ name: 'prepare' }] });
    await server.orch.workflowEngine.waitForCompletion(await execute(server, 'zoned'), { timeout: 10 });
    // UTC+5:30: a local label would be off by hours and minutes.
    const { page, watch, context } = await openPage(suite.browser, { timezoneId: 'Asia/Kolkata' });
    await signIn(page, server);
    await page.waitForSelector('[data-chart="throughput"] canvas');
    const over = page.locator('[data-chart="throughput"] .u-over');
    const box = await over.boundingBox();
    if (!box) throw new Error('no chart area');
    // The right edge of the chart is now: the legend shows the time under the cursor.
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    const label = await until(async () => {
      const text = await page
        .locator('[data-chart="throughput"] .u-legend .u-series')
        .first()
        .locator('.u-value')
        .textContent();
      return text && /^\d\d:\d\d:\d\d$/.test(text) ? text : null;
    });
    const [h, m] = label.split(':').map(Number) as [number, number];
    const now = new Date();
    const diff = Math.abs(h * 60 + m - (now.getUTCHours() * 60 + now.getUTCMinutes()));
    expect(Math.min(diff, 24 * 60 - diff), `${label} against ${now.toISOString()}`).toBeLessThanOrEqual(2);
    expect(await page.locator('main h2', { hasText: 'Throughput' }).textContent()).toContain('(UTC)');
    expectClean(watch);
    await context.close();
  }, 30_000);

  it('pages executions by cursor: no row repeated or skipped while new ones arrive between page loads, and back up by Newer', async () => {
    const server = await startServer({
      orchestrator: { actions: { greet: () => ({ ok: true }) } },
      dashboard: { pageSize: 5 },
    });
    servers.push(server);
    await define(server, { id: 'hello', steps: [{ name: 'greet' }] });
    await define(server, { id: 'other', steps: [{ name: 'greet' }] });
    const engine = server.orch.workflowEngine;
    const hello: string[] = [];
    /** Runs `n` executions of `hello` to their end, each followed by one of `other`. */
    const add = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const id = await execute(server, 'hello');
        await engine.waitForCompletion(id, { timeout: 10 });
        hello.push(id);
        await engine.waitForCompletion(await execute(server, 'other'), { timeout: 10 });
      }
    };
    await add(14);
    const atFirstPage = hello.toReversed();
    const { page, watch, context } = await openPage(suite.browser);
    await signIn(page, server);
    await page.goto(`${server.url}/executions?workflowId=hello`);

    type Element = { getAttribute(name: string): string | null; textContent: string | null };
    // The rows, their workflows, the Older link and the panel's cursor, read at once (a poll
    // replaces the whole panel).
    const shown = () =>
      page.evaluate(() => {
        const panel = document.querySelector('#exec-panel') as {
          getAttribute(name: string): string | null;
          querySelector(selector: string): Element | null;
          querySelectorAll(selector: string): ArrayLike<Element>;
        };
        const rows = Array.from(panel.querySelectorAll('tr[data-execution]'));
        return {
          before: panel.getAttribute('data-before'),
          after: panel.getAttribute('data-after'),
          rows: rows.map((row) => row.getAttribute('data-execution')),
          workflows: Array.from(
            panel.querySelectorAll('tr[data-execution] td:nth-child(2) a:not(.version-link)'),
            (a) => a.textContent,
          ),
          older: panel.querySelector('#pager-next')?.getAttribute('href') ?? null,
          newer: panel.querySelector('#pager-prev')?.getAttribute('href') ?? null,
        };
      });
    /** Resolves once the panel on screen now has been replaced by a poll (or a link). */
    const nextSwap = async () => {
      await page.evaluate(() => {
        window.__panel = document.querySelector('#exec-panel');
      });
      return () =>
        until(() => page.evaluate(() => !(window.__panel as { isConnected: boolean }).isConnected), 20_000);
    };

    const seen: string[] = [];
    const workflows: (string | null)[] = [];
    let view = await shown();
    expect(view.before).toBe('');
    seen.push(...(view.rows as string[]));
    workflows.push(...view.workflows);
    const second = view.older;
    expect(second).toBe(`/executions?workflowId=hello&before=${seen.at(-1)}`);

    // Created between page loads: on the newest page, on none of the older ones.
    await add(3);
    await page.goto(`${server.url}${second}`);
    view = await shown();
    expect(view.before).toBe(seen.at(-1));
    seen.push(...(view.rows as string[]));
    workflows.push(...view.workflows);
    expect(await page.inputValue('select[name="workflowId"]')).toBe('hello');

    // The older page polls with its cursor: after more arrive, a poll shows the same rows.
    await add(3);
    const polled = await nextSwap();
    await polled();
    expect(await shown()).toEqual(view);

    // The next page through the htmx link (no reload), its address in the address bar.
    const third = view.older;
    expect(third).toBe(`/executions?workflowId=hello&before=${seen.at(-1)}`);
    await page.click('#pager-next');
    await page.waitForURL(`${server.url}${third}`);
    await until(async () => (await shown()).before === seen.at(-1));
    view = await shown();
    seen.push(...(view.rows as string[]));
    workflows.push(...view.workflows);
    // The last page: no Older link.
    expect(view.older).toBeNull();

    // Every execution of the first page's time once, in order; the filter held on every page.
    expect(seen).toEqual(atFirstPage);
    expect(workflows).toEqual(atFirstPage.map(() => 'hello'));

    // Back up through the htmx Newer link: the pages seen, in turn, then those created since.
    for (const [from, to] of [
      [10, 5],
      [5, 0],
    ] as const) {
      expect(view.newer).toBe(`/executions?workflowId=hello&after=${seen[from]}`);
      await page.click('#pager-prev');
      await page.waitForURL(`${server.url}${view.newer}`);
      await until(async () => (await shown()).after === seen[from]);
      view = await shown();
      expect(view.rows).toEqual(seen.slice(to, from));
      expect(view.older).toBe(`/executions?workflowId=hello&before=${seen[from - 1]}`);
    }
    await page.click('#pager-prev');
    await until(async () => (await shown()).after === seen[0]);
    expect((await shown()).rows).toEqual(hello.slice(14, 19).toReversed());

    // Back to the newest page, with the filter: the ones created meanwhile come first.
    await page.click('#pager-newest');
    await page.waitForURL(`${server.url}/executions?workflowId=hello`);
    await until(async () => (await shown()).before === '');
    expect((await shown()).rows).toEqual(hello.toReversed().slice(0, 5));
    // A filter chosen on an older page starts again from the newest page.
    await page.goto(`${server.url}${third}`);
    await page.selectOption('select[name="status"]', 'completed');
    await page.waitForURL(`${server.url}/executions?status=completed&workflowId=hello`);
    await until(async () => (await shown()).before === '');
    expect((await shown()).rows).toEqual(hello.toReversed().slice(0, 5));
    expectClean(watch);
    await context.close();
  }, 60_000);

  it('does not sign in with a wrong token', async () => {
    const server = await serve({ prepare: () => 1 });
    const { page, watch, context } = await openPage(suite.browser);
    await page.goto(`${server.url}/`);
    await page.waitForURL(`${server.url}/login`);
    await page.fill('#token', 'not-the-token');
    const [response] = await Promise.all([
      page.waitForResponse(`${server.url}/login`),
      page.click('#sign-in'),
    ]);
    expect(response.status()).toBe(401);
    expect(await page.locator('#login-error').textContent()).toBe('Wrong token.');
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${server.url}/workers`);
    expect(page.url()).toBe(`${server.url}/login?next=%2Fworkers`);
    expect(await page.locator('#token').count()).toBe(1);
    expectClean(watch, [/status of 401/]);
    await context.close();
  }, 30_000);
});

async function assertNoScript(page: Page, where: string): Promise<void> {
  const state = await page.evaluate(() => ({
    xss: window.__xss,
    inlineScripts: document.querySelectorAll('script:not([src])').length,
    handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
    images: document.querySelectorAll('img').length,
    javascriptLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    logoutTriggers: document.querySelectorAll('[hx-get="/logout"]').length,
  }));
  expect(state, where).toEqual({
    xss: undefined,
    inlineScripts: 0,
    handlers: 0,
    images: 0,
    javascriptLinks: 0,
    logoutTriggers: 0,
  });
}
