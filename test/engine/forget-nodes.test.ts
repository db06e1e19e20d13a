/**
 * The node registry forgets nodes that crashed long ago: rows silent for longer than
 * FORGET_NODES_AFTER_MS (or ten leases) are removed by a running node's housekeeping, unless
 * their node still owns unfinished executions; recent rows and the node's own row stay.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FORGET_CHECK_EVERY_MS,
  FORGET_NODES_AFTER_MS,
  NodeForgetter,
} from '../../src/engine/forget-nodes.js';
import { FakeClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { NodeRecord } from '../../src/store/store.js';
import { tempDir, withOrchestrator } from '../helpers/orchestrator.js';
import { makeExecution } from '../store/records.js';

const HOUR = 60 * 60 * 1000;

function node(id: string, lastHeartbeat: number): NodeRecord {
  return {
    id,
    startedAt: lastHeartbeat - 1000,
    lastHeartbeat,
    running: 0,
    queued: 0,
    capacity: 10,
    info: {},
  };
}

async function openStore(file: string): Promise<SqliteStore> {
  const store = new SqliteStore(file);
  await store.init();
  return store;
}

describe('NodeForgetter', () => {
  it('removes long-silent nodes that own nothing, keeps owners, recent nodes and itself', async () => {
    const store = await openStore(join(tempDir(), 'nodes.sqlite'));
    const now = Date.UTC(2026, 0, 1, 12);
    const old = now - FORGET_NODES_AFTER_MS - 1;
    await store.heartbeat(node('crashed', old));
    await store.heartbeat(node('crashed-owner', old));
    await store.heartbeat(node('recent', now - FORGET_NODES_AFTER_MS + 60_000));
    await store.heartbeat(node('self', old));
    await store.createExecution(
      makeExecution({ id: 'held', status: 'running', owner: 'crashed-owner', leaseUntil: old + 30_000 }),
    );
    const forgetter = new NodeForgetter(store, 'self', 30_000);

    expect(await forgetter.run(now)).toEqual(['crashed']);
    expect((await store.listNodes()).map((n) => n.id).sort()).toEqual(['crashed-owner', 'recent', 'self']);

    // Once its execution finished, the owner is forgotten at the next check, not before.
    await store.update({ id: 'held', epoch: 0, set: { status: 'completed', owner: null } });
    expect(await forgetter.run(now + FORGET_CHECK_EVERY_MS - 1)).toEqual([]);
    expect(await forgetter.run(now + FORGET_CHECK_EVERY_MS)).toEqual(['crashed-owner']);
    await store.close();
  });

  it('waits ten leases when that is longer than FORGET_NODES_AFTER_MS', async () => {
    const store = await openStore(join(tempDir(), 'nodes.sqlite'));
    const now = Date.UTC(2026, 0, 1, 12);
    const lease = FORGET_NODES_AFTER_MS / 5; // ten leases = twice the minimum
    await store.heartbeat(node('a', now - FORGET_NODES_AFTER_MS - 1));
    await store.heartbeat(node('b', now - 10 * lease - 1));
    expect(await new NodeForgetter(store, 'self', lease).run(now)).toEqual(['b']);
    await store.close();
  });
});

describe('housekeeping forgets crashed nodes', () => {
  it('a running orchestrator removes a registry row silent for hours, keeps its own', async () => {
    const file = join(tempDir(), 'o.sqlite');
    const clock = new FakeClock();
    const seed = await openStore(file);
    await seed.heartbeat(node('long-gone', clock.now() - 3 * HOUR));
    await seed.close();

    const orch = await withOrchestrator({ store: `sqlite:${file}`, clock, sweepInterval: 1 });
    await clock.advance(1_000);
    await clock.advance(1_000);
    const ids = (await orch.getNodes()).map((n) => n.id);
    expect(ids).not.toContain('long-gone');
    expect(ids).toHaveLength(1);
  });
});
