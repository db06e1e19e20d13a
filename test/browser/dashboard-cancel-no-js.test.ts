/**
 * The cancel button in a browser without JavaScript: it used to cancel at once (the confirmation
 * dialog is htmx's). It now opens a confirmation page, and only that page's button cancels;
 * going back from it cancels nothing. With JavaScript the dialog asks, as before: dismissed, it
 * sends nothing and opens no page; confirmed from the keyboard, the focus goes to the notice saying
 * what the cancel did (it fell back to the page's start with the button it was on).
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, openPage, signIn, startServer, until } from './helpers.js';

declare const document: {
  activeElement: { classList: { contains(name: string): boolean }; textContent: string | null } | null;
};

const suite = browserSuite();

/** A server with one execution that runs until it is cancelled. */
async function blockingRun() {
  const block = (_input: unknown, ctx: { signal: AbortSignal }) =>
    new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
  const server = await startServer({ orchestrator: { actions: { block } } });
  suite.servers.push(server);
  await server.api('/v1/workflows', {
    body: { id: 'blocking', steps: [{ name: 'wait', action: 'block' }] },
  });
  const { body } = await server.api<{ id: string }>('/v1/workflows/blocking/executions', { body: {} });
  return { server, body };
}

describe('cancel without JavaScript, in Chromium', () => {
  it('asks on a page of its own before it cancels', async () => {
    const { server, body } = await blockingRun();
    const status = async () => (await server.orch.workflowEngine.getExecutionStatus(body.id))?.status;
    const { page, context, watch } = await openPage(suite.browser, { javaScriptEnabled: false });
    try {
      await signIn(page, server);
      const detail = `${server.url}/executions/${body.id}`;
      await page.goto(detail);
      expect(await page.locator('#exec-detail').getAttribute('data-status')).toBe('running');

      // The button opens the confirmation; backing out of it leaves the execution running.
      await Promise.all([page.waitForURL(/\/cancel\??$/), page.click('#cancel-execution')]);
      expect(await page.locator('h1').textContent()).toBe(`Cancel execution ${body.id}?`);
      await Promise.all([page.waitForURL(detail), page.click('text=Back, without cancelling')]);
      expect(await status()).toBe('running');

      // Confirmed: cancelled, and back on the execution, which offers no cancel any more.
      await Promise.all([page.waitForURL(/\/cancel\??$/), page.click('#cancel-execution')]);
      await Promise.all([page.waitForURL(`${detail}?cancel=done`), page.click('#confirm-cancel')]);
      expect(await status()).toBe('cancelled');
      expect(await page.locator('.notice').textContent()).toBe('Cancelled.');
      expect(await page.locator('#exec-detail').getAttribute('data-status')).toBe('cancelled');
      expect(await page.locator('#cancel-execution').count()).toBe(0);
      expect(watch.dialogs).toEqual([]);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('with JavaScript, asks in a dialog, and a dismissed one neither cancels nor leaves the page', async () => {
    const { server, body } = await blockingRun();
    const { page, context, watch } = await openPage(suite.browser);
    try {
      await signIn(page, server);
      const detail = `${server.url}/executions/${body.id}`;
      await page.goto(detail);
      const requests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/cancel')) requests.push(`${r.method()} ${r.url()}`);
      });
      await page.locator('#cancel-execution').dispatchEvent('click');
      await until(async () => watch.dialogs.length === 1);
      expect(watch.dialogs[0]).toMatch(/^confirm: Cancel execution /);
      expect(requests).toEqual([]);
      expect(page.url()).toBe(detail);
      expect((await server.orch.workflowEngine.getExecutionStatus(body.id))?.status).toBe('running');
    } finally {
      await context.close();
    }
  }, 30_000);

  it('with JavaScript and the keyboard, puts the focus on the notice once the button is gone', async () => {
    const { server, body } = await blockingRun();
    const { page, context, watch } = await openPage(suite.browser, { acceptDialogs: true });
    try {
      await signIn(page, server);
      await page.goto(`${server.url}/executions/${body.id}`);
      await page.focus('#cancel-execution');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#exec-detail[data-status="cancelled"] .notice');
      await page.waitForFunction(() => document.activeElement?.classList.contains('notice') === true);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancelled.');
      expect(watch.dialogs).toHaveLength(1);
    } finally {
      await context.close();
    }
  }, 30_000);
});
