/**
 * Closing a cluster node cut off from the database by a partition (nothing passes, not even a
 * FIN: the silent proxy): the close does not wait on the store for longer than a bounded time
 * after the grace (a Kubernetes pod has 30 s to stop), says what it could not do, and the
 * execution it held is taken over by another node once its lease runs out.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { gate, memoryLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { silentProxy } from '../store/silent-proxy.js';
import { until } from './harness.js';
import { HOLD_THEN_RECORD, holdRecordNode } from './hold-record-node.js';
import { perTest } from './per-test.js';

const t = perTest();

it('a partitioned node closes within its grace and a few seconds, and another node takes its execution over', async () => {
  const schema = t.schema();
  const calls: string[] = [];
  const held = gate();
  const proxy = await silentProxy();
  t.later(() => proxy.close());
  const logger = memoryLogger();
  // The store's default timeouts: a query waits 30 s for its answer, a connect 10 s.
  const a = await createOrchestrator({
    store: new PostgresStore(proxy.url, { schema }),
    logger,
    leaseSeconds: 2,
    sweepInterval: 0.2,
    actions: {
      hold: () => {
        calls.push('hold@a');
        return held.promise;
      },
    },
  });
  t.later(() => a.close());
  t.later(() => held.open());
  await a.workflowEngine.defineWorkflow('w', HOLD_THEN_RECORD);
  const id = await a.workflowEngine.executeWorkflow('w', {});
  await until(() => calls.includes('hold@a'), 'a to start the step');
  proxy.silence();
  const started = Date.now();
  await a.close({ grace: 1 });
  const took = Date.now() - started;
  // Bound generous for a loaded machine: 1 s of grace and 5 s for the store; without the bound,
  // about a minute (a renewal's query timeout, then a connect timeout per write).
  expect(took).toBeLessThan(15_000);
  expect(logger.lines.map((line) => line.msg)).toContain(
    'the store did not answer within 5 s: closed without it; leases not released expire on their own',
  );
  const b = await holdRecordNode(t, calls, 'b', new PostgresStore(PG_URL, { schema }), () => 'held');
  const status = await b.workflowEngine.waitForCompletion(id, { timeout: 15 });
  expect(status.status).toBe('completed');
  expect(calls).toEqual(['hold@a', 'hold@b', 'rec@b']);
}, 120_000);
