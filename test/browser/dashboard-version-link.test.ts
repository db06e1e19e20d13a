/**
 * An execution names the workflow version it ran (`v1`); once the workflow has a newer version,
 * its only link went to the newest definition, whose steps are not those the execution ran. The
 * version is now a link to that version's definition, on the execution page and in the list.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, openPage, signIn, startServer } from './helpers.js';

const suite = browserSuite();

describe('dashboard links to the workflow version an execution ran', () => {
  it('opens v1 from an execution of v1 after v2 was defined, from its page and from the list', async () => {
    const server = await startServer({ orchestrator: { actions: { ok: () => 1 } } });
    suite.servers.push(server);
    const define = (steps: unknown[]) => server.api('/v1/workflows', { body: { id: 'evolving', steps } });
    expect((await define([{ name: 'ok' }])).status).toBe(201);
    const run = await server.api<{ id: string }>('/v1/workflows/evolving/executions', { body: {} });
    await server.orch.workflowEngine.waitForCompletion(run.body.id, { timeout: 10 });
    expect((await define([{ name: 'ok' }, { name: 'more', action: 'ok' }])).status).toBe(201);

    const { page, watch, context } = await openPage(suite.browser);
    await signIn(page, server);
    for (const [from, link] of [
      [`/executions/${run.body.id}`, '#exec-detail a.version-link'],
      ['/executions', `tr[data-execution="${run.body.id}"] a.version-link`],
    ] as const) {
      await page.goto(server.url + from);
      expect(await page.locator(link).count(), from).toBe(1);
      expect(await page.locator(link).textContent(), from).toBe('v1');
      await Promise.all([page.waitForURL(`${server.url}/workflows/evolving?version=1`), page.click(link)]);
      // The definition the execution ran: one step, not the newest version's two.
      expect(await page.locator('table.definition tr[data-step]').count(), from).toBe(1);
      expect(await page.locator('h2', { hasText: 'Definition' }).textContent(), from).toContain(
        'v1 · 1 step',
      );
    }
    expect(watch.errors).toEqual([]);
    await context.close();
  }, 30_000);
});
