/**
 * A step waiting on a durable timer — a `delay`, a retry's backoff — whose owner dies (here: another
 * owner claims it and never renews, as a node that died just after) and whose due time passes
 * before its lease runs out: the node that takes it over keeps the stored due time (the delay is
 * not waited again from the start), its attempt going on with no interruption counted; a retry's
 * next attempt runs as attempt 2, counting no interruption (no handler was running).
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, PostgresStore } from '../../src/index.js';
import type { StepRecord } from '../../src/store/store.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

async function setup(actions: Record<string, (input: unknown, ctx: { attempt: number }) => unknown>) {
  const schema = t.schema();
  const raw = new PostgresStore(PG_URL, { schema, poolSize: 2 });
  const node: Orchestrator = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    leaseSeconds: 2,
    sweepInterval: 0.2,
    actions,
  });
  t.later(() => node.close());
  await raw.init();
  t.later(() => raw.close());
  const step = async (id: string, name: string): Promise<StepRecord | undefined> =>
    (await raw.getExecution(id))?.steps.find((s) => s.name === name);
  /** A node that dies at once takes `id` over: its lease ends after the step's due time. */
  const dyingOwnerTakes = async (id: string): Promise<void> => {
    const now = Date.now();
    const taken = await raw.claimExecutions({
      owner: 'dead-node',
      leaseUntil: now + 2_500,
      now: now + 3_600_000,
      limit: 10,
    });
    expect(taken.map((r) => r.id)).toEqual([id]);
  };
  return { node, step, dyingOwnerTakes };
}

describe('a timer that fell due while its owner was dead', () => {
  it('a delay: the taker keeps its due time and goes on', async () => {
    const runs: number[] = [];
    const { node, step, dyingOwnerTakes } = await setup({ rec: () => runs.push(Date.now()) });
    await node.workflowEngine.defineWorkflow('w', [
      { name: 'd', action: 'delay', input: "{'seconds': 1}" },
      { name: 'r', action: 'rec' },
    ]);
    const id = await node.workflowEngine.executeWorkflow('w', {});
    await until(async () => (await step(id, 'd'))?.timerAt != null, 'the delay to be stored');
    const timerAt = (await step(id, 'd'))!.timerAt!;
    await dyingOwnerTakes(id);
    expect((await node.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
    const d = (await step(id, 'd'))!;
    expect(d.timerAt).toBe(timerAt);
    // The same attempt goes on waiting: no interruption (no handler was running), as for a backoff.
    expect({ attempts: d.attempts, interruptions: d.interruptions ?? 0 }).toEqual({
      attempts: 1,
      interruptions: 0,
    });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toBeGreaterThanOrEqual(timerAt);
  }, 30_000);

  it("a retry's backoff: the taker runs attempt 2, not before it was due", async () => {
    const attempts: { attempt: number; at: number }[] = [];
    const { node, step, dyingOwnerTakes } = await setup({
      flaky: (_input, ctx) => {
        attempts.push({ attempt: ctx.attempt, at: Date.now() });
        if (attempts.length === 1) throw new Error('first attempt fails');
        return 'ok';
      },
    });
    await node.workflowEngine.defineWorkflow('w', [
      { name: 'f', action: 'flaky', retry: { maxAttempts: 3, initialDelay: 1 } },
    ]);
    const id = await node.workflowEngine.executeWorkflow('w', {});
    await until(async () => (await step(id, 'f'))?.nextAttemptAt != null, 'the backoff to be stored');
    const due = (await step(id, 'f'))!.nextAttemptAt!;
    await dyingOwnerTakes(id);
    expect((await node.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
    const f = (await step(id, 'f'))!;
    expect({ attempts: f.attempts, interruptions: f.interruptions ?? 0 }).toEqual({
      attempts: 2,
      interruptions: 0,
    });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(attempts[1]!.at).toBeGreaterThanOrEqual(due);
  }, 30_000);
});
