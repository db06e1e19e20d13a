/**
 * The store's performance figures (`GET /v1/workflows/:id/performance?source=store`) are the
 * cluster's: two nodes on one PostgreSQL schema each run part of the executions, and either node's
 * store view counts them all — every run, every failure — where its own view counts only its runs.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../src/server/workflow-figures.js';
import { decliningPair, payFrom } from './declining-pair.js';
import { perTest } from './per-test.js';

const t = perTest();
const N = 30;
const IN_FLIGHT = 6;

describe("the store's performance figures in a cluster", () => {
  it("count every node's runs, where each node's own figures count its own", async () => {
    const { a, b } = await decliningPair(t);
    const ran = await payFrom(a, N, IN_FLIGHT);
    const runs = (node: string) => (ran[node]?.completed ?? 0) + (ran[node]?.failed ?? 0);
    const failed = runs('node-a');

    // Both nodes ran some (where one ran none, the check below could not tell the views apart).
    expect(runs('node-a')).toBeGreaterThan(0);
    expect(runs('node-b')).toBeGreaterThan(0);
    // node-a's handler failed every run it made, node-b's none.
    expect(ran['node-a']?.completed ?? 0).toBe(0);
    expect(ran['node-b']?.failed ?? 0).toBe(0);

    for (const node of [a, b]) {
      const own = await figuresOf(node, 'pay', 'node');
      expect(own.stats.count).toBe(runs(node.nodeId));
      const all = await figuresOf(node, 'pay', 'store');
      expect(all.runs).toBe(N);
      expect(all.stats.count).toBe(N);
      expect(all.steps).toMatchObject([{ name: 'charge', count: N, failures: failed, retries: failed }]);
    }
  });
});
