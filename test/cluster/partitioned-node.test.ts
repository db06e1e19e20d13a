/**
 * A cluster node cut off from the database by a partition (nothing passes, not even a FIN: the
 * silent proxy) while its step runs: another node takes the execution over once the lease runs out
 * and finishes it; the step the partitioned node was running records nothing.
 */
import { expect, it } from 'vitest';
import { PostgresStore } from '../../src/index.js';
import { gate } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { silentProxy } from '../store/silent-proxy.js';
import { until } from './harness.js';
import { HOLD_THEN_RECORD, holdRecordNode } from './hold-record-node.js';
import { perTest } from './per-test.js';

const t = perTest();

it('a partitioned node loses its execution to another node, which finishes it', async () => {
  const schema = t.schema();
  const calls: string[] = [];
  const held = gate();
  const proxy = await silentProxy();
  const node = (label: string, store: PostgresStore) =>
    holdRecordNode(t, calls, label, store, () => (label === 'a' ? held.promise.then(() => 'late') : 'held'));
  const a = await node('a', new PostgresStore(proxy.url, { schema, queryTimeoutMs: 1_000 }));
  // Cleanups run newest first: the proxy's end resets a's connections, so its close is quick.
  t.later(() => proxy.close());
  await a.workflowEngine.defineWorkflow('w', HOLD_THEN_RECORD);
  const id = await a.workflowEngine.executeWorkflow('w', {});
  await until(() => calls.includes('hold@a'), 'a to start the step');
  const b = await node('b', new PostgresStore(PG_URL, { schema }));
  proxy.silence();
  const status = await b.workflowEngine.waitForCompletion(id, { timeout: 15 });
  expect(status.status).toBe('completed');
  expect(status.outputData).toEqual({ h: 'held', r: 'recorded' });
  held.open();
  expect(calls).toEqual(['hold@a', 'hold@b', 'rec@b']);
}, 40_000);
