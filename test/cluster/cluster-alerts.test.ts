/**
 * Cluster-wide alerts: every node of a cluster reads the same load distribution, so the
 * `load_imbalance` alert is raised by one node only — the live node with the smallest id — not
 * once per node (each copy reaching `orch.on('alert')`, the log and the service's webhook). When
 * that node dies or leaves, the next smallest takes over. Nodes `node-a` and `node-b` run in this
 * process on one fresh schema; `node-z` is another host's, known only from its heartbeat and the
 * executions stored as its own (they make the cluster unbalanced); `node-0` likewise.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Alert, createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { heldExecution } from '../store/records.js';
import { perTest } from './per-test.js';

const t = perTest();
const LOADED = 'node-z';
const LOAD = 10;

interface Node {
  orch: Orchestrator;
  /** The load_imbalance alerts this node raised. */
  imbalance: Alert[];
  /** Housekeeping rounds so far (heartbeats written). */
  rounds(): number;
}

/** A fresh schema where `node-z` holds LOAD executions, with a heartbeat kept fresh for `others`. */
async function cluster(others: string[]) {
  const schema = t.schema();
  const raw = new PostgresStore(PG_URL, { schema });
  t.later(() => raw.close());
  await raw.init();
  const leaseUntil = Date.now() + 600_000;
  for (let i = 0; i < LOAD; i++) {
    await raw.createExecution(heldExecution(`${LOADED}-${i}`, 'w', LOADED, leaseUntil, { input: {} }));
  }
  const beating = new Set([LOADED, ...others]);
  const beat = () =>
    Promise.all(
      [...beating].map((id, i) =>
        raw.heartbeat({
          id,
          startedAt: Date.now() - 10_000,
          lastHeartbeat: Date.now(),
          running: id === LOADED ? LOAD : 0,
          queued: 0,
          capacity: 100,
          info: { pid: 4243 + i, cluster: true, leaseSeconds: 60 },
        }),
      ),
    );
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), 100);
  t.later(() => clearInterval(timer));

  const start = async (nodeId: string): Promise<Node> => {
    const orch = await createOrchestrator({
      store: new PostgresStore(PG_URL, { schema }),
      cluster: true,
      nodeId,
      sweepInterval: 0.05,
      leaseSeconds: 1,
      logger: silentLogger,
      alerts: { imbalanceMinActive: 2, cooldown: 60 },
    });
    t.later(() => orch.close());
    const imbalance: Alert[] = [];
    orch.on('alert', (a) => {
      if (a.type === 'load_imbalance') imbalance.push(a);
    });
    const heartbeat = vi.spyOn(orch.store, 'heartbeat');
    return { orch, imbalance, rounds: () => heartbeat.mock.calls.length };
  };
  /** `node-0` (say) dies: its heartbeat is no longer written. */
  const die = (id: string) => beating.delete(id);
  return { start, die };
}

/** Waits until `node` saw `node-z`'s load and ran three more rounds, having checked the alerts. */
async function roundsWithLoad(node: Node, workers: number): Promise<void> {
  await vi.waitFor(
    () => {
      const d = node.orch.loadBalancer.getLoadDistribution();
      expect(d[LOADED]).toBe(LOAD);
      expect(Object.keys(d)).toHaveLength(workers);
    },
    { timeout: 5_000, interval: 10 },
  );
  const from = node.rounds();
  await vi.waitFor(() => expect(node.rounds()).toBeGreaterThanOrEqual(from + 3), {
    timeout: 5_000,
    interval: 10,
  });
}

describe('load_imbalance in a cluster', () => {
  it('is raised by one node, the live one with the smallest id, not by every node', async () => {
    const c = await cluster([]);
    // One after the other: nodes started at once may each refresh before the other's first
    // heartbeat, and both count themselves the smallest for a round.
    const a = await c.start('node-a');
    const b = await c.start('node-b');
    await Promise.all([roundsWithLoad(a, 3), roundsWithLoad(b, 3)]);
    expect(a.imbalance.map((x) => x.message)).toEqual([expect.stringMatching(/unbalanced/)]);
    expect(b.imbalance).toEqual([]);
  }, 30_000);

  it('is taken over by the next smallest id when that node dies, then when it leaves', async () => {
    const c = await cluster(['node-0']);
    // One after the other: nodes started at once may each refresh before the other's first
    // heartbeat, and both count themselves the smallest for a round.
    const a = await c.start('node-a');
    const b = await c.start('node-b');
    // node-0 (another host's node, which raises it there) is live: neither node here raises it.
    await Promise.all([roundsWithLoad(a, 4), roundsWithLoad(b, 4)]);
    expect([a.imbalance, b.imbalance]).toEqual([[], []]);

    // node-0 dies: once its heartbeat is a lease old, node-a raises it, node-b still does not.
    c.die('node-0');
    await Promise.all([roundsWithLoad(a, 3), roundsWithLoad(b, 3)]);
    expect(a.imbalance).toHaveLength(1);
    expect(b.imbalance).toEqual([]);

    // node-a leaves (closed): node-b takes over.
    await a.orch.close();
    await roundsWithLoad(b, 2);
    expect(b.imbalance).toHaveLength(1);
  }, 30_000);
});
