/**
 * A new execution that starts at once (its slot reserved before it is stored) but whose create
 * answered late — the node stalled after the commit, past the lease the execution was stored
 * with — may have been taken over meanwhile by another node, which claimed it once that lease
 * ran out. The node's own renewal after the stall cannot stop it (it does not hold it yet), and
 * renews the node's other leases, so the runner's lease check passes: its first handler started
 * without a write first, an execution another node had claimed (and runs). Now one whose known
 * lease ran out by the time it starts stores its first attempt's start first, as one that waited
 * in the queue does (queued-lease-lapse.test.ts): the write is fenced, and nothing starts here.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, FakeClock, PostgresStore } from '../../src/index.js';
import type { CreateResult, ExecutionRecord, StepRecord } from '../../src/store/store.js';
import { gate, silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { claimElsewhere, expectStillElsewhere } from './claimed-elsewhere.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

/** A store whose creates answer only once `answer` opens (after their commit). */
class LateCreates extends PostgresStore {
  readonly answer = gate();
  override async createExecution(execution: ExecutionRecord, steps?: StepRecord[]): Promise<CreateResult> {
    const result = await super.createExecution(execution, steps);
    await this.answer.promise;
    return result;
  }
}

it('a new execution another node took over before its create answered does not start its step here', async () => {
  const schema = t.schema();
  const clock = new FakeClock();
  const t0 = clock.now();
  const store = new LateCreates(PG_URL, { schema });
  const other = new PostgresStore(PG_URL, { schema, poolSize: 2 });
  t.later(() => other.close());
  const runs: string[] = [];
  const node = await createOrchestrator({
    store,
    clock,
    logger: silentLogger,
    leaseSeconds: 30,
    sweepInterval: 1,
    actions: {
      rec: (_input, ctx) => {
        runs.push(ctx.executionId);
        return 'done';
      },
    },
  });
  t.later(() => node.close());
  await other.init();
  await node.workflowEngine.defineWorkflow('w', [{ name: 's1', action: 'rec' }]);
  expect(node.getLocalLoad()).toEqual({ running: 0, queued: 0 });

  const creating = node.workflowEngine.executeWorkflow('w');
  let id = '';
  await until(async () => {
    const [stored] = await other.listExecutions({ limit: 1 });
    id = stored?.execution.id ?? '';
    return id !== '';
  }, 'the create to commit');
  expect((await other.getExecution(id))!.execution.leaseUntil).toBe(t0 + 30_000);

  // The node stalls past that lease (no round renews it); another node claims the execution.
  await clock.advance(35_000);
  const now = clock.now();
  const epoch = await claimElsewhere(other, id, now);
  // Its next round finds its leases lapsed and renews what it still owns.
  await until(async () => {
    await clock.advance(1_000);
    return (await other.listNodes()).some((n) => n.id === node.nodeId && n.lastHeartbeat > now);
  }, 'the round after the stall');

  // The create answers: the execution must not start its step here.
  store.answer.open();
  expect(await creating).toBe(id);
  await until(
    () => runs.length > 0 || node.getLocalLoad().running + node.getLocalLoad().queued === 0,
    'the node to let go of it',
  );
  expect(runs, 'handler runs of the execution another node owns').toEqual([]);
  await expectStillElsewhere(other, id, epoch);
}, 60_000);
