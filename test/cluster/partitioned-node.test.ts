/**
 * A cluster node cut off from the database by a partition (nothing passes, not even a FIN: the
 * silent proxy) while its step runs: another node takes the execution over once the lease runs out
 * and finishes it; the step the partitioned node was running records nothing.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, PostgresStore } from '../../src/index.js';
import { gate, silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { silentProxy } from '../store/silent-proxy.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

it('a partitioned node loses its execution to another node, which finishes it', async () => {
  const schema = t.schema();
  const calls: string[] = [];
  const held = gate();
  const proxy = await silentProxy();
  const node = async (label: string, store: PostgresStore): Promise<Orchestrator> => {
    const orch = await createOrchestrator({
      store,
      logger: silentLogger,
      leaseSeconds: 2,
      sweepInterval: 0.2,
      actions: {
        hold: () => {
          calls.push(`hold@${label}`);
          return label === 'a' ? held.promise.then(() => 'late') : 'held';
        },
        rec: () => {
          calls.push(`rec@${label}`);
          return 'recorded';
        },
      },
    });
    t.later(() => orch.close());
    return orch;
  };
  const a = await node('a', new PostgresStore(proxy.url, { schema, queryTimeoutMs: 1_000 }));
  // Cleanups run newest first: the proxy's end resets a's connections, so its close is quick.
  t.later(() => proxy.close());
  await a.workflowEngine.defineWorkflow('w', [
    { name: 'h', action: 'hold' },
    { name: 'r', action: 'rec' },
  ]);
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
