/**
 * The dashboard's workflow page shows, with `?source=store`, the figures of the newest finished
 * executions in the store, whichever node ran them, and links each view to the other (keeping the
 * version shown); a bad `source` is a 400 naming it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

describe('dashboard workflow page, figures from the store', () => {
  it("shows the store's runs where this node recorded none, and links the two views", async () => {
    const f = await setup({ app: { plugins: [createDashboard({ nodes: () => [] })] } });
    await define(f, 'order', [{ name: 'reserve', action: 'greet' }]);
    for (let i = 0; i < 2; i++) {
      const id = await f.orch.workflowEngine.executeWorkflow('order', {});
      await f.orch.workflowEngine.waitForCompletion(id);
    }
    // This node forgets its own runs: the store still has them.
    f.orch.performanceOptimizer.reset();
    const cookie = await signedInCookie(f);

    const own = await f.app.inject({ url: '/workflows/order', headers: { cookie } });
    expect(own.statusCode).toBe(200);
    expect(own.body).toMatch(
      /data-stat="runs">\s*<div class="stat-label">Runs<\/div>\s*<div class="stat-value">0<\/div>/,
    );
    expect(own.body).toContain('<a class="more" data-source="store" href="/workflows/order?source=store"');

    const store = await f.app.inject({ url: '/workflows/order?source=store', headers: { cookie } });
    expect(store.statusCode).toBe(200);
    expect(store.body).toMatch(
      /data-stat="runs">\s*<div class="stat-label">Runs<\/div>\s*<div class="stat-value">2<\/div>/,
    );
    expect(store.body).toContain('the newest 2 finished executions in the store, every node');
    expect(store.body).toContain('<tr data-step="reserve"');
    expect(store.body).toContain('<a class="more" data-source="node" href="/workflows/order"');

    // A version other than the latest stays shown across the switch.
    await define(f, 'order', [
      { name: 'reserve', action: 'greet' },
      { name: 'more', action: 'greet' },
    ]);
    const v1 = await f.app.inject({ url: '/workflows/order?version=1', headers: { cookie } });
    expect(v1.body).toContain('href="/workflows/order?version=1&amp;source=store"');
    const v1Store = await f.app.inject({
      url: '/workflows/order?version=1&source=store',
      headers: { cookie },
    });
    expect(v1Store.statusCode).toBe(200);
    expect(v1Store.body).toContain('data-source="node" href="/workflows/order?version=1"');
  });

  it('refuses a source other than node or store, naming it', async () => {
    const f = await setup({ app: { plugins: [createDashboard({ nodes: () => [] })] } });
    await define(f, 'order', [{ name: 'reserve', action: 'greet' }]);
    const cookie = await signedInCookie(f);
    for (const bad of ['cluster', 'STORE', 'store&source=node']) {
      const res = await f.app.inject({ url: `/workflows/order?source=${bad}`, headers: { cookie } });
      expect(res.statusCode, bad).toBe(400);
      expect(res.body, bad).toMatch(/source: expected (&#39;|&#x27;)node\1 or \1store\1, got /);
    }
    const empty = await f.app.inject({ url: '/workflows/order?source=', headers: { cookie } });
    expect(empty.statusCode).toBe(200);
  });
});
