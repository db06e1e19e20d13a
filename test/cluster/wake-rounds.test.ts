/**
 * Wake-up rounds in a cluster (two nodes in this process on one PostgreSQL schema): a node woken
 * because executions were created only adopts what was placed on it — no heartbeat, no claim —
 * while a released-leases notice runs its whole housekeeping round at once. A node sends no
 * notice for the executions it places on itself. The timer's round is made rare here (20 s), so
 * every round the test sees comes from a wake-up.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActionHandler, createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type {
  ClaimRequest,
  ExecutionRecord,
  ExecutionUpdate,
  NodeRecord,
  WorkHint,
} from '../../src/store/store.js';
import { gate } from '../helpers/orchestrator.js';
import { housekeepingRounds, type Rounds } from '../helpers/rounds.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/**
 * A PostgreSQL store that counts the housekeeping writes only a whole round makes, and can answer
 * `listOwned` as a read made a moment earlier would (with `stale` ids added). `when` resolves once
 * what it counts (or the wake-up hints its subscriber was given) meet a condition.
 */
class CountingStore extends PostgresStore {
  heartbeats = 0;
  claims = 0;
  stale: string[] = [];
  reads: string[] = [];
  lists = 0;
  /** The wake-up hints handed to the subscriber, once it returned. */
  hints: WorkHint[] = [];
  private waiting: { check: () => boolean; resolve: () => void }[] = [];
  /** Resolves once `check` holds, checked now and after each call counted. */
  when(check: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ check, resolve });
      this.counted();
    });
  }
  private counted(): void {
    for (const w of this.waiting.filter((x) => x.check())) {
      this.waiting.splice(this.waiting.indexOf(w), 1);
      w.resolve();
    }
  }
  override async subscribe(
    channel: 'work',
    onNotify: (hint: WorkHint) => void,
  ): Promise<() => Promise<void>> {
    return super.subscribe(channel, (hint) => {
      onNotify(hint);
      this.hints.push(hint);
      this.counted();
    });
  }
  override async listOwned(owner: string, limit: number): Promise<string[]> {
    this.lists++;
    const ids = await super.listOwned(owner, limit);
    return [...this.stale, ...ids];
  }
  override getExecution(id: string): ReturnType<PostgresStore['getExecution']> {
    this.reads.push(id);
    this.counted();
    return super.getExecution(id);
  }
  override getExecutions(ids: readonly string[]): ReturnType<PostgresStore['getExecutions']> {
    this.reads.push(...ids);
    this.counted();
    return super.getExecutions(ids);
  }
  override heartbeat(node: NodeRecord): Promise<void> {
    this.heartbeats++;
    this.counted();
    return super.heartbeat(node);
  }
  override claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]> {
    this.claims++;
    this.counted();
    return super.claimExecutions(request);
  }
}

/** Fails the write of step `first`'s completion once, as a lost connection would. */
class FailOnceStore extends PostgresStore {
  failed = false;
  override update(update: ExecutionUpdate): Promise<void> {
    if (!this.failed && update.steps?.some((s) => s.name === 'first' && s.status === 'completed')) {
      this.failed = true;
      return Promise.reject(new Error('connection reset (injected)'));
    }
    return super.update(update);
  }
}

async function node(store: PostgresStore, actions: Record<string, ActionHandler>): Promise<Orchestrator> {
  const orch = await createOrchestrator({
    store,
    cluster: true,
    sweepInterval: 20,
    leaseSeconds: 60,
    actions,
  });
  cleanups.push(() => orch.close());
  return orch;
}

describe('cluster wake-up rounds', () => {
  it('a node adopts executions placed on it without a whole round; a release runs one', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const hold = gate();
    const actions = { hold: () => hold.promise.then(() => 'held'), quick: () => 'quick' };
    // b first, so a's first round (at its start) already sees b alive.
    const bStore = new CountingStore(PG_URL, { schema });
    const b = await node(bStore, actions);
    const a = await node(new PostgresStore(PG_URL, { schema }), actions);
    const aEngine = a.workflowEngine;
    await aEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await aEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    expect(Object.keys(a.loadBalancer.getLoadDistribution()).sort()).toEqual([a.nodeId, b.nodeId].sort());

    // a runs one execution itself (ties go to the submitting node) ...
    const held = await aEngine.executeWorkflow('hold', {});
    expect((await aEngine.getExecutionStatus(held))?.workerId).toBe(a.nodeId);
    // ... so the next one goes to b, the least loaded, which learns of it from the NOTIFY.
    const before = { heartbeats: bStore.heartbeats, claims: bStore.claims };
    const placed = await aEngine.executeWorkflow('quick', {});
    expect((await aEngine.waitForCompletion(placed, { timeout: 10 })).status).toBe('completed');
    expect((await aEngine.getExecutionStatus(placed))?.workerId).toBe(b.nodeId);
    expect({ heartbeats: bStore.heartbeats, claims: bStore.claims }).toEqual(before);
    // a sent no notice for the one it runs itself: notices arrive in commit order, so b would
    // have been handed that one first.
    expect(bStore.hints.filter((h) => h.kind === 'placed')).toEqual([{ kind: 'placed', owner: b.nodeId }]);

    // A release (a node letting its leases go) asks the others for a whole round: b claims.
    const releaser = new PostgresStore(PG_URL, { schema });
    cleanups.push(() => releaser.close());
    await releaser.init();
    await releaser.releaseLeases('nobody');
    // A whole round on b.
    await bStore.when(() => bStore.heartbeats > before.heartbeats && bStore.claims > before.claims);
    hold.open();
    expect((await aEngine.waitForCompletion(held)).status).toBe('completed');
  });

  it('never runs again an execution that finished between listing and reading it', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const store = new CountingStore(PG_URL, { schema });
    const orch = await node(store, { quick: () => 'quick' });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('quick', [{ name: 'quick' }]);
    const starts: string[] = [];
    const ends: string[] = [];
    orch.on('execution.started', (e) => starts.push(e.executionId));
    orch.on('execution.finished', (e) => ends.push(e.executionId));
    const id = await engine.executeWorkflow('quick', {});
    expect((await engine.waitForCompletion(id)).status).toBe('completed');
    // The next adoption round lists it as if the list had been read while it still ran.
    store.stale = [id];
    const other = new PostgresStore(PG_URL, { schema });
    cleanups.push(() => other.close());
    await other.init();
    const [record] = await other.listExecutions({ limit: 1 });
    // A placement on another node wakes nobody here: once its notice reached this node, no round
    // starts (a wake-up's round starts in the next turn, and lists what was placed first) ...
    const lists = store.lists;
    await other.createExecution({
      ...record!.execution,
      id: 'placed-away',
      status: 'pending',
      owner: 'another-node',
    });
    await store.when(() => store.hints.some((h) => h.kind === 'placed' && h.owner === 'another-node'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.lists).toBe(lists);
    // ... one here does: the wake-up's adoption round lists both.
    await other.createExecution({
      ...record!.execution,
      id: 'placed-here',
      status: 'pending',
      completedAt: null,
      owner: orch.nodeId,
    });
    await store.when(() => store.reads.includes(id)); // the adoption round read it
    expect((await engine.waitForCompletion('placed-here')).status).toBe('completed');
    expect(starts).toEqual([id, 'placed-here']);
    expect(ends).toEqual([id, 'placed-here']);
  });

  it('adopts executions placed on it while it already holds a full batch of them', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const hold = gate();
    const orch = await node(new PostgresStore(PG_URL, { schema }), {
      hold: () => hold.promise.then(() => 'held'),
    });
    await orch.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    const other = new PostgresStore(PG_URL, { schema });
    cleanups.push(() => other.close());
    await other.init();
    const id = await orch.workflowEngine.executeWorkflow('hold', {});
    const [template] = await other.getExecutions([id]);
    // More placements than one adoption batch (500), while the first ones wait on the gate: the
    // newest must not wait for the timer's round (20 s here) once the node holds 500.
    const ids = Array.from({ length: 530 }, (_, i) => `placed-${String(i).padStart(3, '0')}`);
    for (const placed of ids) {
      await other.createExecution({
        ...template!.execution,
        id: placed,
        status: 'pending',
        owner: orch.nodeId,
      });
    }
    expect((await orch.workflowEngine.getExecutionStatus(ids.at(-1)!))?.status).toBe('pending');
    hold.open();
    const finished = await Promise.all(
      ids.map((placed) => orch.workflowEngine.waitForCompletion(placed, { timeout: 10 })),
    );
    expect(finished.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
  });

  it('takes up an execution given up after a store failure once: not adopted, then fenced off', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const store = new FailOnceStore(PG_URL, { schema });
    const warnings: string[] = [];
    const logger = {
      info: () => undefined,
      debug: () => undefined,
      error: () => undefined,
      warn: (_fields: unknown, message?: string) => warnings.push(String(message)),
    };
    let firstRuns = 0;
    let rounds: Rounds | undefined;
    const orch = await createOrchestrator({
      store,
      cluster: true,
      sweepInterval: 0.2,
      leaseSeconds: 3,
      logger: logger as never,
      actions: {
        // Runs until a round after its start ended: an adoption of the execution given up (run
        // again here) would still run when that round's retake fenced it off.
        first: async () => {
          firstRuns++;
          await rounds?.pass(1);
          return 1;
        },
        second: () => 2,
      },
    });
    cleanups.push(() => orch.close());
    rounds = housekeepingRounds(orch);
    await orch.workflowEngine.defineWorkflow('wf', [{ name: 'first' }, { name: 'second' }]);
    const id = await orch.workflowEngine.executeWorkflow('wf', {});
    expect((await orch.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
    // Once by the first runner (whose write failed), once after the retake: no third run by an
    // adoption the retake's new epoch fences off.
    expect({ firstRuns, leaseLost: warnings.filter((w) => w.includes('lease lost')).length }).toEqual({
      firstRuns: 2,
      leaseLost: 0,
    });
  });
});
