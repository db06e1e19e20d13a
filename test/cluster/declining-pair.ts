/**
 * Two cluster nodes on one fresh schema where the node decides how an execution ends: node-b's
 * `charge` succeeds, node-a's fails ("card declined"), and workflow `pay` is that one step with
 * one retry. node-a, started last, is the ingress: its start reads node-b's heartbeat, so it places
 * on both (the executions in flight, each a few store writes long, keep both loaded).
 * @module
 */
import { createOrchestrator, type Orchestrator, type OrchestratorOptions } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import type { PerTest } from './per-test.js';

/** The two nodes, closed after the test; `options` added to both. */
export async function decliningPair(
  t: PerTest,
  options: OrchestratorOptions = {},
): Promise<{ a: Orchestrator; b: Orchestrator }> {
  const schema = t.schema();
  const open = async (nodeId: string, charge: () => Promise<string>) => {
    const orch = await createOrchestrator({
      store: new PostgresStore(PG_URL, { schema }),
      cluster: true,
      nodeId,
      sweepInterval: 10,
      leaseSeconds: 30,
      logger: silentLogger,
      ...options,
      actions: { charge },
    });
    t.later(() => orch.close());
    return orch;
  };
  const b = await open('node-b', async () => 'charged');
  const a = await open('node-a', async () => {
    throw new Error('card declined');
  });
  await a.workflowEngine.defineWorkflow('pay', [{ name: 'charge', retry: { maxAttempts: 1 } }]);
  return { a, b };
}

/**
 * Runs `n` executions of `pay` from `ingress`, `inFlight` at a time, each to its end; how many
 * completed and failed under each owner (the node that ran it).
 */
export async function payFrom(
  ingress: Orchestrator,
  n: number,
  inFlight: number,
): Promise<Record<string, { completed: number; failed: number }>> {
  const ran: Record<string, { completed: number; failed: number }> = {};
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      const id = await ingress.workflowEngine.executeWorkflow('pay', {});
      const { status } = await ingress.workflowEngine.waitForCompletion(id, { timeout: 20 });
      const owner = (await ingress.store.getExecution(id))?.execution.owner ?? 'none';
      const counts = ran[owner] ?? { completed: 0, failed: 0 };
      ran[owner] = counts;
      if (status === 'completed' || status === 'failed') counts[status]++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return ran;
}
