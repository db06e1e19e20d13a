/**
 * A cancel of an execution another live node holds is stored as a request, and the owner is told
 * at once (a `cancel` notice on the store's channel) rather than finding the request at its next
 * housekeeping round: a loop of cancels through a node that held none of them took a round each
 * (p50 1.04 s with the default `sweepInterval`). Here rounds are 20 s apart, so only the notice can
 * make the cancels answer within seconds; without LISTEN (a transaction pooler) they still answer
 * at the owner's next round.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, type StepContext } from '../../src/index.js';
import { hintOf, workPayloads } from '../../src/store/postgres/listener.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { answerWithin, untilAborted } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

async function node(schema: string, nodeId: string): Promise<Orchestrator> {
  const orch = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    nodeId,
    sweepInterval: 20,
    leaseSeconds: 60,
    actions: { wait: (_input: unknown, ctx: StepContext) => untilAborted(ctx.signal) },
  });
  t.later(() => orch.close());
  return orch;
}

describe('a cancel through a node that does not hold the execution', () => {
  it("is applied by the owner when the notice comes, not at the owner's next round", async () => {
    const schema = t.schema();
    const a = await node(schema, 'node-a');
    const b = await node(schema, 'node-b');
    await a.workflowEngine.defineWorkflow('w', [{ name: 'wait' }]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await a.workflowEngine.executeWorkflow('w'));
    for (const id of ids) {
      await expect.poll(async () => (await a.workflowEngine.getExecutionStatus(id))?.status).toBe('running');
      expect((await b.store.getExecution(id))?.execution.owner).toBe('node-a');
    }
    // One after another, as a script's loop would.
    for (const id of ids) {
      expect(await answerWithin(b.workflowEngine.cancelWorkflow(id), 5_000)).toBe(true);
    }
    for (const id of ids) expect((await a.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
  }, 60_000);

  it('reads the notice as a hint for its owner only, and other schemas not at all', () => {
    const payload = workPayloads('s1').cancel('node-a');
    expect(hintOf(payload, 's1')).toEqual({ kind: 'cancel', owner: 'node-a' });
    expect(hintOf(payload, 's2')).toBeNull();
  });
});
