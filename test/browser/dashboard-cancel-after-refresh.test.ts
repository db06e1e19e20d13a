/**
 * A running execution's detail is replaced every second, the cancel form with it. A cancel whose
 * answer came once a refresh had replaced the form (a slow server: a loaded machine) used to say
 * nothing when it failed: htmx reports the failure on the form, which is out of the page by then,
 * so the page's notice never heard of it. The page now says why the cancel failed, refused or
 * unanswered, whichever form the answer was for.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, openPage, type Server, signIn, startServer, TOKEN, until } from './helpers.js';

/** What the page's script below uses of the DOM (this project's types have no DOM). */
type Listener = (event: { target: { id: string } }) => void;
declare const document: {
  addEventListener(type: string, listener: Listener): void;
  removeEventListener(type: string, listener: Listener): void;
  querySelector(selector: string): { click(): void };
};
declare const window: { clicked?: boolean };

const suite = browserSuite();
const servers = suite.servers;

const NOTICE = '#refresh-error';

/** A server with one execution that runs until cancelled, its detail open in a signed-in page. */
async function detailOfRunning(): Promise<{
  server: Server;
  page: Page;
  id: string;
  close(): Promise<void>;
}> {
  const block = (_input: unknown, ctx: { signal: AbortSignal }) =>
    new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
  const server = await startServer({ orchestrator: { actions: { block } } });
  servers.push(server);
  const created = await server.api('/v1/workflows', {
    body: { id: 'blocking', steps: [{ name: 'wait', action: 'block' }] },
  });
  expect(created.status).toBe(201);
  const started = await server.api<{ id: string }>('/v1/workflows/blocking/executions', { body: {} });
  const { page, context } = await openPage(suite.browser, { acceptDialogs: true });
  await signIn(page, server);
  await page.goto(`${server.url}/executions/${started.body.id}`);
  await page.waitForSelector('#cancel-execution');
  return { server, page, id: started.body.id, close: () => context.close() };
}

/**
 * Clicks cancel, holding the cancel's request until the detail's refresh replaced the form it
 * came from (the one in the page once the request is seen, or an older one); then lets `answer`
 * settle it.
 */
async function cancelAnsweredAfterRefresh(page: Page, answer: 'continue' | 'abort'): Promise<void> {
  await page.route('**/executions/*/cancel', async (route) => {
    const form = await page.$('form.cancel');
    if (form)
      await until(async () => !(await form.evaluate((f) => (f as { isConnected: boolean }).isConnected)));
    if (answer === 'continue') await route.continue();
    else await route.abort('connectionrefused');
  });
  // One click event, not a mouse press and release: the refresh may replace the button between
  // those two on a loaded machine, and the click is then lost.
  await page.locator('#cancel-execution').dispatchEvent('click');
}

describe('a cancel clicked as the detail was refreshed, in Chromium', () => {
  it('goes through htmx, not the no-JavaScript confirmation page', async () => {
    // The refreshed detail's form is made an htmx form in the task that swaps it in (no settle
    // delay): with htmx's default 20 ms, a click in between submitted the bare form, which GETs
    // the page a browser without JavaScript confirms a cancel on.
    const { server, page, id, close } = await detailOfRunning();
    try {
      const detailUrl = page.url();
      await page.evaluate(() => {
        const onSwap: Listener = (event) => {
          if (event.target.id !== 'exec-detail') return;
          document.removeEventListener('htmx:afterSwap', onSwap);
          // The next task after the swap: before a settle delay's timer, had it one.
          setTimeout(() => {
            document.querySelector('#cancel-execution').click();
            window.clicked = true;
          }, 0);
        };
        document.addEventListener('htmx:afterSwap', onSwap);
      });
      await page.waitForFunction(() => window.clicked === true);
      await until(async () => {
        const status = await server.api<{ status: string }>(`/v1/executions/${id}`);
        return status.body.status === 'cancelled';
      });
      expect(page.url()).toBe(detailUrl);
    } finally {
      await close();
    }
  }, 60_000);
});

describe('a cancel answered after the detail was refreshed, in Chromium', () => {
  it('says why the cancel was refused', async () => {
    const { server, page, close } = await detailOfRunning();
    try {
      // Signed in anew (another tab): this page's CSRF token is the old session's.
      const again = await page.request.post(`${server.url}/login`, {
        form: { token: TOKEN },
        headers: { origin: server.url },
        maxRedirects: 0,
      });
      expect(again.status()).toBe(303);
      await cancelAnsweredAfterRefresh(page, 'continue');
      const notice = await page.waitForSelector(NOTICE, { timeout: 8000 });
      expect(await notice.textContent()).toBe('Missing or invalid CSRF token.');
    } finally {
      await close();
    }
  }, 60_000);

  it('says the service did not answer the cancel', async () => {
    const { page, close } = await detailOfRunning();
    try {
      await cancelAnsweredAfterRefresh(page, 'abort');
      const notice = await page.waitForSelector(NOTICE, { timeout: 8000 });
      expect(await notice.textContent()).toBe('The dashboard service does not answer.');
    } finally {
      await close();
    }
  }, 60_000);
});
