/**
 * Nodes with different `leaseSeconds` on one PostgreSQL schema (a rolling deploy that shortens
 * the lease): an execution a short-lease node places on a long-lease node must hold a lease that
 * node keeps renewing, or the placer would claim it back as expired while it runs there — a
 * fenced, wasted run and its step run twice.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate } from '../helpers/orchestrator.js';
import { roundClock } from '../helpers/round-clock.js';
import { PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

describe('nodes with different lease lengths', () => {
  it("an execution placed on a long-lease node keeps running there, not claimed back at the placer's lease", async () => {
    const schema = t.schema();
    // Virtual time, moved round by round: the step holds until the test lets it go, not for a
    // real 2.5 s.
    const fake = new FakeClock();
    const time = roundClock(fake);
    const release = gate();
    const runs: string[] = [];
    const node = async (leaseSeconds: number, sweepInterval: number): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        clock: time.node(sweepInterval).clock,
        cluster: true,
        sweepInterval,
        leaseSeconds,
        actions: {
          slow: async (_input, ctx) => {
            runs.push(`${ctx.executionId}@${orch.nodeId}`);
            await release.promise;
            return 'done';
          },
        },
      });
      t.later(() => orch.close());
      return orch;
    };
    // b renews its leases every 2 s; a's lease is 0.9 s. a's rounds fall between b's (on one
    // grid, b's round renewing a lapsed lease would always come just before a's claim).
    const b = await node(6, 0.3);
    const a = await node(0.9, 0.1);
    await a.workflowEngine.defineWorkflow('slow', [{ name: 'slow' }]);
    while (a.loadBalancer.getWorkers().length < 2) await time.step();
    // Placed right after b renewed its leases, the execution waits 2 s for b's next renewal:
    // a's 0.9 s lease, had it been given, would run out well before.
    let renewals = 0;
    const renew = b.store.renewLeases.bind(b.store);
    b.store.renewLeases = (...args) => {
      renewals++;
      return renew(...args);
    };
    while (renewals === 0) await time.step();
    // The first runs on a (ties go to the submitting node), the second is placed on b.
    await a.workflowEngine.executeWorkflow('slow', {});
    const placed = await a.workflowEngine.executeWorkflow('slow', {});
    const placedAt = fake.now();
    const runsOfPlaced = () => runs.filter((r) => r.startsWith(`${placed}@`));
    await until(() => runsOfPlaced().length > 0, 'the placed step to start');
    // Past three of a's leases, every round of both nodes run.
    while (fake.now() - placedAt < 3_000) await time.step();
    expect(runsOfPlaced()).toEqual([`${placed}@${b.nodeId}`]);

    release.open();
    let status = await b.workflowEngine.getExecutionStatus(placed);
    await until(async () => {
      status = await b.workflowEngine.getExecutionStatus(placed);
      return status?.status === 'completed';
    }, 'the placed execution to complete');
    expect(status?.workerId).toBe(b.nodeId);
    expect(runsOfPlaced()).toEqual([`${placed}@${b.nodeId}`]);
  });
});
