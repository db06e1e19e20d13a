/**
 * A cluster node whose store takes its reads but refuses its writes (a read-only replica after a
 * failover, a full disk) while its step runs: its heartbeats and renewals fail, so another node
 * takes the execution over once the lease runs out. When its writes pass again, it does not run
 * again the step the other node now runs, nor the steps after it.
 */
import { expect, it } from 'vitest';
import { PostgresStore } from '../../src/index.js';
import type { ClaimRequest, ExecutionRecord, ExecutionUpdate, NodeRecord } from '../../src/store/store.js';
import { gate } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';
import { HOLD_THEN_RECORD, holdRecordNode } from './hold-record-node.js';
import { perTest } from './per-test.js';

const t = perTest();

/** A store whose writes fail while `readOnly` is set; it counts the renewals that passed. */
class ReadOnlyAtTimes extends PostgresStore {
  readOnly = false;
  refused = 0;
  renewed = 0;
  private refuse(): Promise<never> {
    this.refused++;
    return Promise.reject(new Error('cannot execute UPDATE in a read-only transaction (injected)'));
  }
  override update(update: ExecutionUpdate): Promise<void> {
    return this.readOnly ? this.refuse() : super.update(update);
  }
  override claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]> {
    return this.readOnly ? this.refuse() : super.claimExecutions(request);
  }
  override async renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    if (this.readOnly) return this.refuse();
    const renewed = await super.renewLeases(owner, leaseUntil);
    this.renewed++;
    return renewed;
  }
  override releaseLeases(owner: string, ids?: readonly string[]): Promise<void> {
    return this.readOnly ? this.refuse() : super.releaseLeases(owner, ids);
  }
  override heartbeat(node: NodeRecord): Promise<void> {
    return this.readOnly ? this.refuse() : super.heartbeat(node);
  }
}

it('a node whose writes fail while its step runs loses the execution to another node and leaves it there', async () => {
  const schema = t.schema();
  const calls: string[] = [];
  const holds = { a: gate(), b: gate() };
  const node = (label: 'a' | 'b', store: PostgresStore) =>
    holdRecordNode(t, calls, label, store, () => holds[label].promise.then(() => 'held'));
  const store = new ReadOnlyAtTimes(PG_URL, { schema });
  const a = await node('a', store);
  await a.workflowEngine.defineWorkflow('w', HOLD_THEN_RECORD);
  // Alone in the cluster, a runs it.
  const id = await a.workflowEngine.executeWorkflow('w', {});
  await until(() => calls.includes('hold@a'), 'a to start the step');
  const b = await node('b', new PostgresStore(PG_URL, { schema }));
  store.readOnly = true;
  await until(() => calls.includes('hold@b'), 'b to take the execution over');
  // a's step ends; its completion is refused by the store.
  const refused = store.refused;
  holds.a.open();
  await until(() => store.refused > refused + 1, "a's completion to be refused");
  store.readOnly = false;
  // a takes up what it gave up: the store says b has it now.
  const renewed = store.renewed;
  await until(() => store.renewed >= renewed + 2, 'a to run two rounds with its writes passing');
  holds.b.open();
  expect((await b.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
  const stored = (await b.workflowEngine.getExecutionStatus(id))!;
  expect(stored.outputData).toEqual({ h: 'held', r: 'recorded' });
  await a.close();
  await b.close();
  expect(calls).toEqual(['hold@a', 'hold@b', 'rec@b']);
}, 40_000);
