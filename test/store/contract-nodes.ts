/**
 * Store contract, part 5: the cluster registry (node heartbeats) and the per-owner load queries.
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { NodeRecord } from '../../src/store/store.js';
import type { CurrentStore } from './contract.js';
import { makeExecution } from './records.js';

const LIVE = 2_000_000;

/** A node record; `overrides` replace fields. */
function makeNode(id: string, overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id,
    startedAt: 100,
    lastHeartbeat: 1_000,
    running: 0,
    queued: 0,
    capacity: 10,
    info: {},
    ...overrides,
  };
}

const nodeIds = (nodes: NodeRecord[]) => nodes.map((n) => n.id);

/** Heartbeats, node listing and removal, load by owner, and an owner's executions. */
export function nodeContract(store: CurrentStore): void {
  describe('cluster nodes', () => {
    it('has no nodes at first', async () => {
      expect(await store().listNodes()).toEqual([]);
      expect(await store().listNodes(0)).toEqual([]);
    });

    it('inserts a node on its first heartbeat and replaces its row on the next', async () => {
      await store().heartbeat(makeNode('n1', { running: 1, queued: 2, capacity: 5, info: { pid: 1 } }));
      expect(await store().listNodes()).toEqual([
        makeNode('n1', { running: 1, queued: 2, capacity: 5, info: { pid: 1 } }),
      ]);
      const next = makeNode('n1', {
        lastHeartbeat: 6_000,
        running: 4,
        queued: 0,
        capacity: 8,
        info: { pid: 1, http: 'http://127.0.0.1:8080' },
      });
      await store().heartbeat(next);
      expect(await store().listNodes()).toEqual([{ ...next }]);
      // Every field is replaced, startedAt included (a restarted node reusing its id).
      await store().heartbeat(makeNode('n1', { startedAt: 7_000, lastHeartbeat: 7_000 }));
      expect(await store().listNodes()).toEqual([makeNode('n1', { startedAt: 7_000, lastHeartbeat: 7_000 })]);
    });

    it('lists nodes by startedAt then id (code-point order), filtered by last heartbeat', async () => {
      await store().heartbeat(makeNode('b', { startedAt: 100, lastHeartbeat: 500 }));
      await store().heartbeat(makeNode('a', { startedAt: 100, lastHeartbeat: 300 }));
      await store().heartbeat(makeNode('B', { startedAt: 100, lastHeartbeat: 400 }));
      await store().heartbeat(makeNode('late', { startedAt: 200, lastHeartbeat: 299 }));
      await store().heartbeat(makeNode('early', { startedAt: 50, lastHeartbeat: 1_000 }));
      expect(nodeIds(await store().listNodes())).toEqual(['early', 'B', 'a', 'b', 'late']);
      expect(nodeIds(await store().listNodes(0))).toEqual(['early', 'B', 'a', 'b', 'late']);
      // `since` is inclusive.
      expect(nodeIds(await store().listNodes(300))).toEqual(['early', 'B', 'a', 'b']);
      expect(nodeIds(await store().listNodes(401))).toEqual(['early', 'b']);
      expect(nodeIds(await store().listNodes(1_000))).toEqual(['early']);
      expect(await store().listNodes(1_001)).toEqual([]);
      // A heartbeat moves a node back into the window.
      await store().heartbeat(makeNode('late', { startedAt: 200, lastHeartbeat: 2_000 }));
      expect(nodeIds(await store().listNodes(1_000))).toEqual(['early', 'late']);
    });

    it('removes a node; removing an unknown node is a no-op', async () => {
      await store().heartbeat(makeNode('n1'));
      await store().heartbeat(makeNode('n2', { startedAt: 200 }));
      await store().removeNode('n1');
      expect(nodeIds(await store().listNodes())).toEqual(['n2']);
      await store().removeNode('n1');
      await store().removeNode('unknown');
      expect(nodeIds(await store().listNodes())).toEqual(['n2']);
      // A removed node that beats again is back.
      await store().heartbeat(makeNode('n1', { lastHeartbeat: 9_000 }));
      expect(nodeIds(await store().listNodes())).toEqual(['n1', 'n2']);
      expect((await store().listNodes(9_000))[0]).toEqual(makeNode('n1', { lastHeartbeat: 9_000 }));
    });

    it('round-trips info, and reads return copies', async () => {
      const info = {
        host: 'hôte-☃',
        pid: 4242,
        version: '1.2.3',
        http: 'http://10.0.0.7:3000',
        ratio: 0.25,
        draining: false,
        tags: ['a', 'b', { nested: [1, 2, null] }],
        extra: null,
        empty: {},
      };
      await store().heartbeat(makeNode('n1', { info: structuredClone(info) }));
      const [read] = await store().listNodes();
      expect(read!.info).toEqual(info);
      read!.info.pid = 1;
      (read!.info.tags as unknown[]).push('x');
      expect((await store().listNodes())[0]!.info).toEqual(info);
      await store().heartbeat(makeNode('n1', { info: {} }));
      expect((await store().listNodes())[0]!.info).toEqual({});
    });

    it('applies heartbeats and removals in call order, even when issued in one tick', async () => {
      await Promise.all([
        store().heartbeat(makeNode('gone', { lastHeartbeat: 1 })),
        store().heartbeat(makeNode('kept', { lastHeartbeat: 1 })),
        store().createExecution(makeExecution({ id: 'e1', status: 'running', owner: 'kept' })),
        store().removeNode('gone'),
        store().heartbeat(makeNode('kept', { lastHeartbeat: 2, running: 1 })),
        store().update({ id: 'e1', epoch: 0, set: { cursor: 1 } }),
      ]);
      // Everything is visible as soon as the promises resolved.
      expect(await store().listNodes()).toEqual([makeNode('kept', { lastHeartbeat: 2, running: 1 })]);
      expect((await store().getExecution('e1'))!.execution.cursor).toBe(1);
      await Promise.all([
        store().removeNode('kept'),
        store().heartbeat(makeNode('kept', { lastHeartbeat: 3 })),
      ]);
      expect(await store().listNodes()).toEqual([makeNode('kept', { lastHeartbeat: 3 })]);
    });
  });

  describe('load by owner', () => {
    /** Executions of several owners in every state, some unowned. */
    async function seed(): Promise<void> {
      const records = [
        makeExecution({ id: 'n1-pending', status: 'pending', owner: 'n1', leaseUntil: LIVE }),
        makeExecution({ id: 'n1-running', status: 'running', owner: 'n1', leaseUntil: LIVE }),
        makeExecution({ id: 'n1-comp', status: 'compensating', owner: 'n1', leaseUntil: LIVE }),
        makeExecution({ id: 'n1-expired', status: 'running', owner: 'n1', leaseUntil: 1 }),
        makeExecution({ id: 'n1-done', status: 'completed', owner: 'n1', leaseUntil: LIVE }),
        makeExecution({ id: 'n1-failed', status: 'failed', owner: 'n1' }),
        makeExecution({ id: 'n1-cancelled', status: 'cancelled', owner: 'n1' }),
        makeExecution({ id: 'n2-running', status: 'running', owner: 'n2', leaseUntil: LIVE }),
        makeExecution({ id: 'n2-done', status: 'completed', owner: 'n2' }),
        makeExecution({ id: 'n3-done', status: 'completed', owner: 'n3' }),
        makeExecution({ id: 'free-pending', status: 'pending' }),
        makeExecution({ id: 'free-running', status: 'running', owner: null, leaseUntil: LIVE }),
      ];
      for (const record of records) await store().createExecution(record);
    }

    it('is empty without executions', async () => {
      expect(await store().loadByOwner()).toEqual({});
    });

    it('counts only unfinished executions that have an owner', async () => {
      await seed();
      // An expired lease still counts: the execution is owned until someone claims it.
      expect(await store().loadByOwner()).toEqual({ n1: 4, n2: 1 });
    });

    it('follows finishing, claiming and releasing', async () => {
      await seed();
      await store().update({ id: 'n1-running', epoch: 0, set: { status: 'completed', owner: 'n1' } });
      expect(await store().loadByOwner()).toEqual({ n1: 3, n2: 1 });
      const claimed = await store().claimExecutions({ owner: 'n4', leaseUntil: LIVE, now: 10, limit: 10 });
      expect(claimed.map((r) => r.id).sort()).toEqual(['free-pending', 'free-running', 'n1-expired']);
      expect(await store().loadByOwner()).toEqual({ n1: 2, n2: 1, n4: 3 });
      await store().releaseLeases('n2');
      expect(await store().loadByOwner()).toEqual({ n1: 2, n4: 3 });
    });

    it('counts owners named like Object.prototype members as plain entries', async () => {
      // Node ids are free text: one named 'constructor' read back the prototype's function, and
      // '__proto__' (a prototype, not an entry) was lost, so a cluster node so named read as idle
      // or, idle, as NaN.
      const owners = ['constructor', 'toString', '__proto__'];
      for (const [i, owner] of owners.entries()) {
        for (let k = 0; k <= i; k++) {
          await store().createExecution(
            makeExecution({ id: `${i}-${k}`, status: 'running', owner, leaseUntil: LIVE }),
          );
        }
      }
      const loads = await store().loadByOwner();
      expect(Object.entries(loads).sort()).toEqual([
        ['__proto__', 3],
        ['constructor', 1],
        ['toString', 2],
      ]);
    });
  });

  describe("an owner's executions", () => {
    async function seed(): Promise<void> {
      const records = [
        makeExecution({ id: 'o-40', createdAt: 40, status: 'running', owner: 'me', leaseUntil: LIVE }),
        makeExecution({ id: 'o-10', createdAt: 10, status: 'pending', owner: 'me', leaseUntil: LIVE }),
        makeExecution({ id: 'o-30b', createdAt: 30, status: 'compensating', owner: 'me', leaseUntil: LIVE }),
        makeExecution({ id: 'o-30a', createdAt: 30, status: 'running', owner: 'me', leaseUntil: 1 }),
        makeExecution({ id: 'o-05-done', createdAt: 5, status: 'completed', owner: 'me' }),
        makeExecution({ id: 'o-20-failed', createdAt: 20, status: 'failed', owner: 'me' }),
        makeExecution({ id: 'o-25-cancelled', createdAt: 25, status: 'cancelled', owner: 'me' }),
        makeExecution({ id: 'other-01', createdAt: 1, status: 'running', owner: 'other', leaseUntil: LIVE }),
        makeExecution({ id: 'free-02', createdAt: 2, status: 'pending' }),
      ];
      for (const record of records) await store().createExecution(record);
    }

    it('lists unfinished ones only, oldest first (ties by id)', async () => {
      await seed();
      expect(await store().listOwned('me', 100)).toEqual(['o-10', 'o-30a', 'o-30b', 'o-40']);
      expect(await store().listOwned('other', 100)).toEqual(['other-01']);
      expect(await store().listOwned('nobody', 100)).toEqual([]);
    });

    it('respects the limit', async () => {
      await seed();
      expect(await store().listOwned('me', 2)).toEqual(['o-10', 'o-30a']);
      expect(await store().listOwned('me', 1)).toEqual(['o-10']);
      expect(await store().listOwned('me', 0)).toEqual([]);
    });

    it('drops executions that finished or changed hands', async () => {
      await seed();
      await store().update({ id: 'o-10', epoch: 0, set: { status: 'completed' } });
      await store().claimExecutions({ owner: 'other', leaseUntil: LIVE, now: 10, limit: 10, ids: ['o-30a'] });
      expect(await store().listOwned('me', 100)).toEqual(['o-30b', 'o-40']);
      expect(await store().listOwned('other', 100)).toEqual(['other-01', 'o-30a']);
    });
  });
}
