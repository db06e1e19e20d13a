/**
 * The dashboard's workers page lists, besides the remote workers registered with this node, those
 * of the other live nodes sharing the store, as their last heartbeats listed them (each node keeps
 * its registrations in memory): id and name, node, actions, tasks, polls, last heard from.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { remoteWorkerHubFor } from '../../src/remote/hub.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { until } from '../helpers/orchestrator.js';
import { tempDir } from '../store/sqlite-fixture.js';
import { closeAll, setup, signedInCookie } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await closeAll();
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('dashboard workers page, remote workers of other nodes', () => {
  it('lists them under "On other nodes", and nothing of the kind while none has any', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const store = `sqlite:${join(dir, 'store.sqlite')}`;
    const f = await setup({
      orchestrator: { store, sweepInterval: 0.05 },
      app: { plugins: [createDashboard()] },
    });
    const other = await createOrchestrator({ store, sweepInterval: 0.05 });
    cleanups.push(() => other.close());
    const cookie = await signedInCookie(f);
    const page = async () => (await f.app.inject({ url: '/workers', headers: { cookie } })).body;
    await until(async () => (await page()).includes(`data-node="${other.nodeId}"`));
    expect(await page()).not.toContain('On other nodes');

    const { workerId } = remoteWorkerHubFor(other).register({ name: 'py-stt', actions: ['stt', 'tts'] });
    let body = '';
    await until(async () => {
      body = await page();
      return body.includes(`data-remote-worker="${workerId}"`);
    });
    expect(body).toContain('<h3>On other nodes <span class="muted">as of their last heartbeat</span></h3>');
    const row = new RegExp(
      `<tr data-remote-worker="${workerId}" data-node="${other.nodeId}" data-held="0">([\\s\\S]*?)</tr>`,
    ).exec(body)?.[1];
    expect(row).toContain('<span class="rw-name">py-stt</span>');
    expect(row).toContain(`<td class="mono">${other.nodeId}</td>`);
    expect(row).toContain('<td class="mono">stt, tts</td>');
    // This node's own list still says it has none.
    expect(body).toContain('data-empty="remote-workers"');

    // Past what a heartbeat lists: one row with the count.
    for (let i = 0; i < 100; i++) remoteWorkerHubFor(other).register({ actions: ['stt'] });
    await until(async () => {
      body = await page();
      return body.includes(`data-node-workers="${other.nodeId}"`);
    });
    expect(body).toContain(
      `<tr data-node-workers="${other.nodeId}"><td colspan="6">101 remote workers on <span class="mono">${other.nodeId}</span>, more than its heartbeat lists</td></tr>`,
    );
    expect(body).not.toContain(`data-remote-worker="${workerId}"`);
  });
});
