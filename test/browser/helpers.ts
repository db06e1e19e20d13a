/**
 * Fixtures of the browser tests: an orchestrator on a fresh SQLite file with the HTTP app and
 * the dashboard listening on 127.0.0.1 (any free port), and Debian's Chromium driven by
 * playwright-core (never a downloaded browser; `.ci/run` installs the `chromium` package).
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createOrchestrator, type Orchestrator, type OrchestratorOptions } from '../../src/index.js';
import { buildApp } from '../../src/server/app.js';
import { createDashboard, type DashboardOptions } from '../../src/server/dashboard/index.js';

/** The Chromium binary (Debian's package). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launch flags verified here (stack-choices.md §o). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-quic',
  '--disable-component-update',
  '--disable-sync',
];

export const TOKEN = 'browser-test-token-7f3a9c1e5b';

/** Launches Chromium; fails with a clear message when the package is missing (never skips). */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium; .ci/run does) ` +
        'or set CHROMIUM_PATH. The browser tests never download a browser and never skip.',
    );
  }
  // `launch` gives the browser a fresh temporary user-data-dir of its own (removed on close).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return { browser, close: () => browser.close() };
}

/**
 * The hooks a browser test file needs: Chromium launched once for the file (`suite.browser`, set
 * before its tests run) and closed after them, and each server a test pushes on `suite.servers`
 * closed when that test ends.
 */
export function browserSuite(): { browser: Browser; servers: Server[] } {
  const suite = { browser: undefined as unknown as Browser, servers: [] as Server[] };
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ browser: suite.browser, close } = await launchBrowser());
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });
  afterEach(async () => {
    for (const s of suite.servers.splice(0)) await s.close();
  });
  return suite;
}

/** A running service. */
export interface Server {
  orch: Orchestrator;
  app: FastifyInstance;
  url: string;
  /** `fetch` against the JSON API with the bearer token. */
  api<T = unknown>(
    path: string,
    init?: { method?: string; body?: unknown },
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** Starts an orchestrator on a temporary SQLite store, the app with the dashboard, and listens. */
export async function startServer(
  options: { orchestrator?: OrchestratorOptions; dashboard?: DashboardOptions } = {},
): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'orch-browser-'));
  const orch = await createOrchestrator({
    store: `sqlite:${join(dir, 'orchestrator.sqlite')}`,
    ...options.orchestrator,
  });
  const app = await buildApp(orch, { token: TOKEN, plugins: [createDashboard(options.dashboard)] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    orch,
    app,
    url,
    async api<T>(path: string, init: { method?: string; body?: unknown } = {}) {
      const res = await fetch(url + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async close() {
      await app.close();
      await orch.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a page reported: console errors, uncaught errors, dialogs. */
export interface PageWatch {
  errors: string[];
  dialogs: string[];
}

/**
 * A fresh context and page that record console errors, page errors and dialogs. Dialogs are
 * dismissed unless `acceptDialogs` (the cancel confirmation). `javaScriptEnabled: false`: a browser
 * without JavaScript (no htmx).
 */
export async function openPage(
  browser: Browser,
  options: { acceptDialogs?: boolean; timezoneId?: string; javaScriptEnabled?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    ...(options.javaScriptEnabled === false ? { javaScriptEnabled: false } : {}),
  });
  const page = await context.newPage();
  const watch: PageWatch = { errors: [], dialogs: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.errors.push(`${msg.text()} @ ${msg.location().url}`);
  });
  page.on('pageerror', (error) => watch.errors.push(`pageerror: ${error.message}`));
  page.on('dialog', async (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    if (options.acceptDialogs && dialog.type() === 'confirm') await dialog.accept();
    else await dialog.dismiss();
  });
  return { context, page, watch };
}

/** Signs in through the form and waits for the overview. */
export async function signIn(page: Page, server: Server, token = TOKEN): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/login/);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${server.url}/`), page.click('#sign-in')]);
}

/** Polls `check` until it returns a truthy value (real time). */
export async function until<T>(check: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
