/**
 * A live panel whose refresh fails (the node registry or the store does not answer: the server
 * sends a 503 fragment; the service is down: no answer at all) used to keep showing its old
 * figures without a word, since htmx swaps no error response: a page that looked live but was
 * not; a cancel refused (here: its CSRF token belongs to a session signed in anew since) seemed
 * to do nothing. The page now says so, with the server's message, and a refresh's notice goes
 * once a refresh succeeds again.
 */
import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../src/errors.js';
import { localNodes } from '../../src/server/routes/monitoring.js';
import { browserSuite, openPage, signIn, startServer, TOKEN } from './helpers.js';

const suite = browserSuite();
const servers = suite.servers;

const NOTICE = '#refresh-error';

describe('dashboard refresh failures in Chromium', () => {
  it('says a live panel is not up to date while its refresh fails, and stops once it works again', async () => {
    let down = false;
    const server = await startServer({
      dashboard: {
        nodes: (orch) => {
          if (down) throw new OrchestratorError('STORE_UNAVAILABLE', 'registry offline');
          return localNodes(orch);
        },
      },
    });
    servers.push(server);
    const { page, context } = await openPage(suite.browser);
    try {
      await signIn(page, server);
      await page.goto(`${server.url}/workers`);
      await page.waitForSelector('#workers-live');
      expect(await page.$(NOTICE)).toBeNull();
      down = true;
      const notice = await page.waitForSelector(NOTICE, { timeout: 8000 });
      const text = await notice.textContent();
      // The server's message, ended with a full stop where it had none, then the note.
      expect(text).toBe('The store is unavailable; try again later. This page is not up to date; retrying.');
      down = false;
      await page.waitForSelector(NOTICE, { state: 'detached', timeout: 8000 });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('says so when the service does not answer at all', async () => {
    const server = await startServer();
    const { page, context } = await openPage(suite.browser);
    try {
      await signIn(page, server);
      await page.goto(`${server.url}/executions`);
      await page.waitForSelector('#exec-panel');
      await server.close();
      const notice = await page.waitForSelector(NOTICE, { timeout: 8000 });
      expect(await notice.textContent()).toContain('The dashboard service does not answer');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('says why a cancel was refused', async () => {
    const block = (_input: unknown, ctx: { signal: AbortSignal }) =>
      new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
      );
    const server = await startServer({ orchestrator: { actions: { block } } });
    servers.push(server);
    const created = await server.api('/v1/workflows', {
      body: { id: 'blocking', steps: [{ name: 'wait', action: 'block' }] },
    });
    expect(created.status).toBe(201);
    const started = await server.api<{ id: string }>('/v1/workflows/blocking/executions', { body: {} });
    const { page, context } = await openPage(suite.browser, { acceptDialogs: true });
    try {
      await signIn(page, server);
      await page.goto(`${server.url}/executions/${started.body.id}`);
      await page.waitForSelector('#cancel-execution');
      // Signed in anew (another tab): this page's CSRF token is the old session's.
      const again = await page.request.post(`${server.url}/login`, {
        form: { token: TOKEN },
        headers: { origin: server.url },
        maxRedirects: 0,
      });
      expect(again.status()).toBe(303);
      // One click event, not a mouse press and release: the detail's refresh may replace the
      // button between those two on a loaded machine, and the click is then lost.
      await page.locator('#cancel-execution').dispatchEvent('click');
      const notice = await page.waitForSelector(NOTICE, { timeout: 8000 });
      expect(await notice.textContent()).toBe('Missing or invalid CSRF token.');
      // The detail's own refreshes (which succeed) leave an action's notice in place: two of them
      // answered, so the first was swapped in (a fixed wait could see none on a loaded machine).
      for (let n = 0; n < 2; n++) {
        await page.waitForResponse((r) => r.url().includes('/ui/executions/') && r.status() === 200);
      }
      expect(await page.locator(NOTICE).textContent()).toBe('Missing or invalid CSRF token.');
    } finally {
      await context.close();
    }
  }, 60_000);
});
