/**
 * Balancing across nodes: three idle engine processes on one PostgreSQL schema; executions
 * submitted through ONE node are placed on the least-loaded live node, so they spread evenly
 * (`status.workerId` is the node that runs each). Every node's balancer sees the whole cluster
 * while they run, `getNodes()` lists the three nodes with fresh heartbeats, and a node that leaves
 * gracefully disappears from the registry and from the balancer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkersReport } from '../../src/cli/reports.js';
import { cli, parseJson } from '../e2e/fixtures/cli-harness.js';
import { cluster, type NodeProcess, type NodeView, until } from './harness.js';

/** Executions submitted in all; each waits on a gate file, so all are active at once. */
const N = 60;

describe('placement across three nodes', () => {
  it('spreads executions submitted through one node, least-loaded first', async () => {
    const c = await cluster();
    const gate = join(c.dir, 'gate');
    // Fewer slots than executions per node: queued executions count as load too. A slow poll
    // (2 s): nodes learn of work placed on them from the store's NOTIFY wake-up, not the poll.
    const settings = { gate, maxConcurrentWorkflows: 10, sweepInterval: 2, leaseSeconds: 10 };
    const sees = (node: NodeProcess, n: number) =>
      until(async () => (await node.view()).workers.length === n, `${node.label} to see ${n} nodes`);

    // Two nodes first, with 20 executions submitted through `a` one by one: 10 each.
    const [a, b] = await Promise.all([c.start('a', settings), c.start('b', settings)]);
    await sees(a, 2);
    const first = await a.submit('gated', 20);
    // Then a third, idle node joins; 40 more go through `a`, all at once (a burst of requests).
    const late = await c.start('c', settings);
    await sees(a, 3);
    // Imbalance is judged cluster-wide too: the idle newcomer's own balancer (where it alone has
    // no load) and a's both see the 20 executions on a and b against none on it.
    for (const node of [late, a]) {
      let last: NodeView | undefined;
      await until(
        async () => {
          last = await node.view();
          return Object.values(last.distribution).reduce((s, v) => s + v, 0) === 20;
        },
        () =>
          `${node.label}'s balancer to count the first batch (last: ${JSON.stringify(last?.distribution)})`,
      );
      expect(Object.keys(last!.distribution).sort()).toEqual([a.nodeId, b.nodeId, late.nodeId].sort());
      // None, or what `a` or `b` had queued past its 10 slots (a split of 11/9: one queued), which
      // they hand over to the idle newcomer (backlog-shedding.ts).
      expect(last!.distribution[late.nodeId]).toBeLessThanOrEqual(2);
      expect(last!.balanced, JSON.stringify(last!.distribution)).toBe(false);
    }
    const submittedAt = Date.now();
    const second = await a.submit('gated', N - 20, true);
    const nodes = [a, b, late];
    const ids = new Set(nodes.map((n) => n.nodeId));
    expect(ids.size).toBe(3);

    const records = async () =>
      (await c.view.listExecutions({ limit: 1000 }))
        .map((s) => s.execution)
        .filter((r) => r.status !== 'completed');
    const perOwner = (list: { owner: string | null }[]) => {
      const counts: Record<string, number> = {};
      for (const r of list) if (r.owner) counts[r.owner] = (counts[r.owner] ?? 0) + 1;
      return counts;
    };
    // Loads are read from the store while placements go on, so a count may be off by one or two
    // for a moment; the tolerances below allow that and nothing more.
    const near = (actual: number | undefined, expected: number, slack: number) =>
      Math.abs((actual ?? 0) - expected) <= slack;
    const ownerOf = new Map((await records()).map((r) => [r.id, r.owner]));
    const label = new Map(nodes.map((n) => [n.nodeId, n.label]));
    const sequence = second.ids.map((id) => label.get(ownerOf.get(id) ?? '')).join('');
    // The first batch split between the two nodes there were.
    const firstSplit = perOwner(first.ids.map((id) => ({ owner: ownerOf.get(id) ?? null })));
    const handedOver = firstSplit[late.nodeId] ?? 0;
    expect(handedOver).toBeLessThanOrEqual(2);
    expect(
      Object.keys(firstSplit)
        .filter((id) => id !== late.nodeId)
        .sort(),
    ).toEqual([a.nodeId, b.nodeId].sort());
    expect(near(firstSplit[a.nodeId], 10, 1), JSON.stringify(firstSplit)).toBe(true);
    // Least-loaded first: the idle newcomer took (nearly) all of the next 10, then placement went
    // round the three.
    const newcomerFirst = second.ids.slice(0, 10).filter((id) => ownerOf.get(id) === late.nodeId).length;
    expect(newcomerFirst, sequence).toBeGreaterThanOrEqual(8 - handedOver);
    const placed = perOwner(await records());
    for (const node of nodes) expect(near(placed[node.nodeId], N / 3, 2), sequence).toBe(true);

    // Each node starts what was placed on it: the first N/3 slots fill on every node, and
    // status.workerId names the node that runs each execution.
    await until(async () => {
      const list = await records();
      return list.filter((r) => r.status === 'running').length === 30;
    }, 'every node to start its share');
    const started = Date.now();
    const latencies: number[] = [];
    for (const r of await records()) {
      if (r.status === 'running') {
        expect(r.workerId).toBe(r.owner);
        if (r.owner !== a.nodeId) latencies.push(r.startedAt! - r.createdAt);
      }
      expect(ids.has(r.owner!)).toBe(true);
    }
    // Work placed on another node starts there well within one poll interval.
    latencies.sort((x, y) => x - y);
    const median = latencies[Math.floor(latencies.length / 2)]!;
    expect(latencies).toHaveLength(20);
    expect(median).toBeLessThan(1000);
    const ledger = c.readLedger();
    expect(new Set(ledger.map((l) => l.pid))).toEqual(new Set(nodes.map((n) => n.pid)));

    // Every node's balancer reflects the whole cluster: the three nodes, N executions, balanced.
    const views: NodeView[] = [];
    for (const node of nodes) {
      let last: NodeView | undefined;
      await until(
        async () => {
          last = await node.view();
          return Object.values(last.distribution).reduce((s, v) => s + v, 0) === N && last.balanced;
        },
        () => `${node.label}'s balancer to reflect the cluster (last: ${JSON.stringify(last?.distribution)})`,
      );
      views.push(last!);
    }
    for (const view of views) {
      expect(view.distribution).toEqual(placed);
      // getNodes lists the three nodes, alive, with heartbeats fresher than a lease.
      expect(view.nodes.map((n) => n.id).sort()).toEqual([...ids].sort());
      for (const n of view.nodes) {
        expect(n.alive).toBe(true);
        expect(view.now - n.lastHeartbeat).toBeLessThan(10_000);
      }
      expect(view.nodes.filter((n) => n.self)).toHaveLength(1);
    }

    // `orchestrator workers` shows the same nodes from the store's registry: alive, with their
    // load at the last heartbeat and the executions they own.
    const shown = await cli(['workers', '--store', c.url, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const report = parseJson<WorkersReport>(shown.stdout);
    expect(report.nodes.map((n) => n.id).sort()).toEqual([...ids].sort());
    for (const n of report.nodes) {
      expect(n).toMatchObject({
        state: 'alive',
        registered: true,
        executions: placed[n.id],
        capacity: 10,
        leaseSeconds: 10,
      });
      expect(n.running! + n.queued!).toBeLessThanOrEqual(placed[n.id]!);
    }
    expect(Object.keys(report.loadDistribution).sort()).toEqual([...ids].sort());
    const human = await cli(['workers', '--store', c.url]);
    expect(human.stdout).toMatch(/NODE\s+STATE\s+RUNNING\s+QUEUED\s+SLOTS\s+EXECUTIONS\s+LAST HEARTBEAT/);
    for (const id of ids)
      expect(human.stdout).toMatch(new RegExp(`${id}\\s+alive\\s+\\d+\\s+\\d+\\s+10\\s+${placed[id]}\\s`));

    // Release the work; everything completes where it was placed.
    writeFileSync(gate, '');
    await until(
      async () => (await c.view.countExecutions({ status: 'completed' })) === N,
      'every execution to complete',
    );
    const done = (await c.view.listExecutions({ limit: 1000 })).map((s) => s.execution);
    for (const r of done) {
      expect(r.epoch).toBe(1);
      expect(r.workerId).toBe(r.owner);
    }
    const ran = perOwner(done);
    for (const id of ids) expect(ran[id]).toBe(placed[id]);

    // A node that leaves gracefully disappears from the registry and from the others' balancers.
    const leaving = late;
    await leaving.request({ cmd: 'close', grace: 5 });
    expect(await leaving.exited).toBe(0);
    await until(async () => {
      const view = await a.view();
      return !view.nodes.some((n) => n.id === leaving.nodeId) && !view.workers.includes(leaving.nodeId);
    }, 'the closed node to leave the registry and the balancer');
    expect((await c.view.listNodes()).map((n) => n.id).sort()).toEqual([a.nodeId, b.nodeId].sort());
    console.info(
      `balancing: second batch placed ${sequence}; loads ${JSON.stringify(Object.values(placed))}; 30 running ${started - submittedAt} ms ` +
        `after the second submit; placement-to-start on other nodes: median ${median} ms, ` +
        `max ${latencies[latencies.length - 1]} ms`,
    );
  }, 90_000);
});
