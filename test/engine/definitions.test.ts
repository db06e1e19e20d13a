// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * Workflow definitions (SPEC §3): versions (same steps → same version, changed steps → the
 * next version, running executions keep theirs), a ValidationError naming every problem with
 * its path, and WorkflowNotFoundError for an unknown workflow.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DefinitionRegistry } from '../../src/engine/definitions.js';
import {
  ClosedError,
  FakeClock,
  MemoryStore,
  type Orchestrator,
  OrchestratorError,
  type StepDefinition,
  ValidationError,
  WorkflowNotFoundError,
} from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import {
  gate,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  tempDir,
  until,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('workflow definitions (%s store)', (kind) => {
  it('returns the definition with id, version 1, steps and createdAt', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const steps: StepDefinition[] = [
      { name: 'validate_input', action: 'validate' },
      { name: 'process_data', action: 'process', timeout: 30, retry: true, compensation: 'undo_process' },
      { name: 'store_result', action: 'store' },
    ];
    const def = await orch.workflowEngine.defineWorkflow('user_workflow', steps);
    expect(def).toMatchObject({ id: 'user_workflow', version: 1, steps });
    expect(def.createdAt).toBeInstanceOf(Date);
    expect(await orch.workflowEngine.getWorkflow('user_workflow')).toMatchObject({
      id: 'user_workflow',
      version: 1,
    });
  });

  it('takes a readonly (`as const`) definition without a cast, branches and nonRetryable included', async () => {
    // A type test as much as a run: `npm run lint` type-checks this file, and defineWorkflow
    // used to demand a mutable StepDefinition[] (TS2345 on a readonly array).
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1, b: () => 2 } });
    const steps = [
      { name: 'a', retry: { maxAttempts: 1, nonRetryable: ['TypeError'] } },
      { name: 'fan', parallel: [{ name: 'b' }] },
    ] as const;
    const def = await orch.workflowEngine.defineWorkflow('frozen', steps);
    expect(def.steps).toEqual(steps);
    const status = await runToEnd(orch, 'frozen');
    expect(status.outputData).toEqual({ a: 1, fan: { b: 2 } });
  });

  it('keeps the version when the same steps are defined again (key order does not matter)', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const v1 = await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', action: 'noop', timeout: 5 }]);
    const again = await orch.workflowEngine.defineWorkflow('w', [{ timeout: 5, action: 'noop', name: 'a' }]);
    expect(again.version).toBe(v1.version);
    expect(orch.workflowEngine.listWorkflowVersions('w')).toHaveLength(1);
  });

  it('creates the next version when the steps change', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const v1 = await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', action: 'noop' }]);
    const v2 = await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', action: 'noop', timeout: 1 }]);
    const v3 = await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', action: 'noop', timeout: 1 },
      { name: 'b', action: 'noop' },
    ]);
    expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
    expect((await orch.workflowEngine.getWorkflow('w'))?.version).toBe(3);
    const status = await runToEnd(orch, 'w');
    expect(status.workflowVersion).toBe(3);
    expect(status.totalSteps).toBe(2);
  });

  it('lets a running execution finish on the version it began with', async () => {
    const hold = gate();
    const entered = gate();
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        first: async () => {
          ran.push('first');
          entered.open();
          await hold.promise;
        },
        old_second: () => ran.push('old_second'),
        new_second: () => ran.push('new_second'),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'old_second' }]);
    const oldRun = await orch.workflowEngine.executeWorkflow('w');
    await entered.promise;
    const v2 = await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'new_second' }]);
    expect(v2.version).toBe(2);
    hold.open();
    const oldStatus = await orch.workflowEngine.waitForCompletion(oldRun);
    expect(oldStatus.workflowVersion).toBe(1);
    expect(oldStatus.steps.map((s) => s.name)).toEqual(['first', 'old_second']);
    const newStatus = await runToEnd(orch, 'w');
    expect(newStatus.workflowVersion).toBe(2);
    expect(ran).toEqual(['first', 'old_second', 'first', 'new_second']);
  });

  it('lets executions queued before a redefinition run the version they were accepted on', async () => {
    const hold = gate();
    const ran: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 1,
      actions: {
        first: async () => {
          ran.push('first');
          await hold.promise;
        },
        old_second: () => ran.push('old_second'),
        new_second: () => ran.push('new_second'),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'old_second' }]);
    const running = await orch.workflowEngine.executeWorkflow('w');
    const queued = await orch.workflowEngine.executeWorkflow('w');
    expect((await orch.workflowEngine.getExecutionStatus(queued))?.status).toBe('pending');
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'new_second' }]);
    const later = await orch.workflowEngine.executeWorkflow('w');
    hold.open();
    const statuses = [
      await orch.workflowEngine.waitForCompletion(running),
      await orch.workflowEngine.waitForCompletion(queued),
      await orch.workflowEngine.waitForCompletion(later),
    ];
    expect(statuses.map((s) => [s.status, s.workflowVersion, s.steps.map((x) => x.name)])).toEqual([
      ['completed', 1, ['first', 'old_second']],
      ['completed', 1, ['first', 'old_second']],
      ['completed', 2, ['first', 'new_second']],
    ]);
    expect(ran).toEqual(['first', 'old_second', 'first', 'old_second', 'first', 'new_second']);
  });

  it('rejects a bad definition with a ValidationError that names every problem and its path', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const bad = [
      { name: 'a', timeout: -1 },
      { name: 'a' },
      { name: 'jump', condition: "result.status == 'ok'", then: 'foo' },
      { name: 'expr', condition: 'result.status ==', else: 'a' },
      { name: 'extra', colour: 'blue' },
    ] as unknown as StepDefinition[];
    const error = await orch.workflowEngine.defineWorkflow('bad', bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as ValidationError).message;
    expect(message).toMatch(/steps\[0\]\.timeout/);
    expect(message).toMatch(/steps\[1\]\.name.*duplicate|duplicate.*'a'/i);
    expect(message).toContain("steps[2].then: unknown step 'foo'");
    expect(message).toMatch(/steps\[3\]\.condition/);
    expect(message).toMatch(/steps\[4\].*colour|colour.*steps\[4\]/);
    expect((error as ValidationError).issues.length).toBeGreaterThanOrEqual(5);
    expect((error as ValidationError).code).toBe('VALIDATION');
    expect(await orch.workflowEngine.getWorkflow('bad')).toBeNull();
  });

  // A getter that answered a bad expression to the schema and a good one to the compiler got
  // the definition stored; defineWorkflow then threw a raw ExpressionError, and every later
  // start on that store failed compiling it.
  it('refuses a definition whose getter answers differently on each read, and stores nothing', async () => {
    const url = storeUrl(kind);
    const orch = await withOrchestrator({ store: url });
    let reads = 0;
    const step = {
      name: 'a',
      action: 'noop',
      get input() {
        return reads++ === 0 ? '1 +' : 'input';
      },
    };
    const error = await orch.workflowEngine.defineWorkflow('flip', [step]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      {
        path: 'steps[0].input',
        message: "Invalid expression '1 +': Unexpected token: EOF at column 4 (where the expression ends)",
      },
    ]);
    expect(await orch.workflowEngine.getWorkflow('flip')).toBeNull();
    if (kind === 'memory') return;
    await orch.close();
    const again = await withOrchestrator({ store: url });
    expect(await again.workflowEngine.getWorkflow('flip')).toBeNull();
  });

  it('rejects an expression that names a step the workflow does not have', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const error = await orch.workflowEngine
      .defineWorkflow('typo', [
        { name: 'score' },
        { name: 'route', condition: 'steps.scroe.output.value > 1', then: 'score' },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain("steps[1].condition: unknown step 'scroe'");
    expect(await orch.workflowEngine.getWorkflow('typo')).toBeNull();
  });

  it('names problems inside parallel branches and retry policies by path', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const bad = [
      {
        name: 'p',
        parallel: [
          { name: 'x', timeout: -2 },
          { name: 'y', retry: { maxAttempts: -1 } },
        ],
      },
      { name: 'x' },
    ] as unknown as StepDefinition[];
    const error = (await orch.workflowEngine
      .defineWorkflow('bad', bad)
      .catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/steps\[0\]\.parallel\[0\]\.timeout/);
    expect(error.message).toMatch(/steps\[0\]\.parallel\[1\]\.retry\.maxAttempts/);
    expect(error.message).toMatch(/steps\[1\]/);
  });

  it('rejects bad names, unknown retry keys and missing parts, each with its path', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const bad = [
      { name: 'has space' },
      { name: 'r', retry: { maxAttempts: 2, jitter: true } },
      { name: 'c', condition: 'true', then: 'r', extra: 1 },
      { name: 'p', parallel: [] },
      { action: 'noop' },
    ] as unknown as StepDefinition[];
    const error = (await orch.workflowEngine
      .defineWorkflow('bad', bad)
      .catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/steps\[0\]\.name/);
    expect(error.message).toMatch(/steps\[1\]\.retry\.jitter/);
    expect(error.message).toMatch(/steps\[2\]\.extra/);
    expect(error.message).toMatch(/steps\[3\]\.parallel/);
    expect(error.message).toMatch(/steps\[4\]/);
    await expect(orch.workflowEngine.defineWorkflow('empty', [])).rejects.toBeInstanceOf(ValidationError);
    await expect(orch.workflowEngine.defineWorkflow('bad id!', [{ name: 'a' }])).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('rejects an unknown workflow id with WorkflowNotFoundError', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const error = await orch.workflowEngine.executeWorkflow('never_defined', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowNotFoundError);
    expect(error).toMatchObject({ code: 'WORKFLOW_NOT_FOUND', workflowId: 'never_defined' });
    expect(await orch.workflowEngine.listExecutions({})).toEqual([]);
    expect(await orch.workflowEngine.getWorkflow('never_defined')).toBeNull();
  });

  it('keeps nothing per unknown workflow id asked for, and still finds one once it is defined', async () => {
    // A long-running service asked (over HTTP, say) for ever new unknown ids must not grow.
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1 } });
    const engine = orch.workflowEngine;
    for (let i = 0; i < 200; i++) {
      await expect(engine.executeWorkflow(`unknown_${i}`)).rejects.toThrow(WorkflowNotFoundError);
      expect(await engine.getWorkflow(`unknown_get_${i}`)).toBeNull();
      expect(await engine.getWorkflow(`unknown_version_${i}`, 2)).toBeNull();
    }
    const registry = (engine as unknown as { definitions: { readAt: Map<string, number> } }).definitions;
    expect(registry.readAt.size).toBe(0);
    await engine.defineWorkflow('unknown_7', [{ name: 'a' }]);
    expect((await runToEnd(orch, 'unknown_7')).status).toBe('completed');
  });
});

describe('definitions defined on two nodes at once', () => {
  it('different steps under one id become consecutive versions; neither overwrites the other', async () => {
    const url = storeUrl('sqlite');
    const [a, b] = [await withOrchestrator({ store: url }), await withOrchestrator({ store: url })];
    const [da, db] = await Promise.all([
      a.workflowEngine.defineWorkflow('w', [{ name: 'x', action: 'noop' }]),
      b.workflowEngine.defineWorkflow('w', [{ name: 'y', action: 'noop' }]),
    ]);
    expect([da.version, db.version].sort()).toEqual([1, 2]);
    expect(da.steps.map((s) => s.name)).toEqual(['x']);
    expect(db.steps.map((s) => s.name)).toEqual(['y']);
    // What is stored under each version is what the node that got it defined.
    const reader = new SqliteStore(url.slice('sqlite:'.length));
    await reader.init();
    const stored = await reader.listDefinitions('w');
    await reader.close();
    expect(stored.map((d) => [d.version, (d.steps as StepDefinition[]).map((s) => s.name)])).toEqual(
      [da, db].sort((p, q) => p.version - q.version).map((d) => [d.version, d.steps.map((s) => s.name)]),
    );
  });

  it('identical steps under one id share one version', async () => {
    const url = storeUrl('sqlite');
    const [a, b] = [await withOrchestrator({ store: url }), await withOrchestrator({ store: url })];
    const steps = [{ name: 'x', action: 'noop' }];
    const [da, db] = await Promise.all([
      a.workflowEngine.defineWorkflow('w', steps),
      b.workflowEngine.defineWorkflow('w', steps),
    ]);
    expect([da.version, db.version]).toEqual([1, 1]);
  });
});

/** Two orchestrators on one SQLite file and one FakeClock, with the actions `x` and `y`. */
async function twoProcesses(): Promise<{ clock: FakeClock; a: Orchestrator; b: Orchestrator }> {
  const clock = new FakeClock();
  const options = { store: storeUrl('sqlite'), clock, actions: { x: () => 'x', y: () => 'y' } };
  return { clock, a: await withOrchestrator(options), b: await withOrchestrator(options) };
}

describe('a newer version defined by another process on the same store', () => {
  it('is what executeWorkflow runs within a sweep interval, and what a redefinition compares with', async () => {
    const { clock, a, b } = await twoProcesses();
    await a.workflowEngine.defineWorkflow('w', [{ name: 'x' }]);
    expect((await runToEnd(a, 'w')).workflowVersion).toBe(1);
    // b learns of v1 (it is in the store), then defines v2.
    expect((await b.workflowEngine.defineWorkflow('w', [{ name: 'y' }])).version).toBe(2);
    // a still knows v1 as the latest; past a sweep interval it reads the versions again.
    await clock.advance(1_000);
    await a.workflowEngine.executeWorkflow('w');
    await until(async () => (await a.workflowEngine.getWorkflow('w'))?.version === 2);
    const status = await runToEnd(a, 'w');
    expect(status.workflowVersion).toBe(2);
    expect(status.steps.map((s) => s.name)).toEqual(['y']);
    // b goes back to v1's steps (v3); a, which last saw v2, defines v2's steps: they differ from
    // the latest stored version, so they become v4 (not "the same as v2").
    expect((await b.workflowEngine.defineWorkflow('w', [{ name: 'x' }])).version).toBe(3);
    expect((await a.workflowEngine.defineWorkflow('w', [{ name: 'y' }])).version).toBe(4);
  });

  it('is what the first executeWorkflow runs on a node that was idle for longer than a sweep interval', async () => {
    const { clock, a, b } = await twoProcesses();
    await a.workflowEngine.defineWorkflow('w', [{ name: 'x' }]);
    expect((await runToEnd(a, 'w')).workflowVersion).toBe(1);
    // a is idle; a deploy on b defines v2; long after, a's next submission is v2's.
    await clock.advance(60_000);
    expect((await b.workflowEngine.defineWorkflow('w', [{ name: 'y' }])).version).toBe(2);
    await clock.advance(1_000);
    const status = await runToEnd(a, 'w');
    expect(status.workflowVersion).toBe(2);
    expect(status.steps.map((s) => s.name)).toEqual(['y']);
  });

  it('is not read past a close(): an executeWorkflow whose re-read a close() overtook stores nothing', async () => {
    // (Else it was stored after close() had released this node's leases: owned by a closed node,
    // run by none, until its lease ran out.)
    const url = storeUrl('sqlite');
    const clock = new FakeClock();
    const a = await withOrchestrator({ store: url, clock, actions: { x: () => 'x' } });
    await a.workflowEngine.defineWorkflow('w', [{ name: 'x' }]);
    await clock.advance(60_000);
    const submitted = a.workflowEngine.executeWorkflow('w');
    const closing = a.close();
    await expect(submitted).rejects.toThrow(ClosedError);
    await closing;
    const reader = new SqliteStore(url.slice('sqlite:'.length));
    await reader.init();
    try {
      expect(await reader.countExecutions({})).toBe(0);
    } finally {
      await reader.close();
    }
  });
});

describe('executions of an older version across a restart', () => {
  it('resume (running and queued) on the version they began with, though a newer one is defined', async () => {
    const store = storeUrl('sqlite');
    const hold = gate();
    const entered = gate();
    const ran: string[] = [];
    const actions = {
      first: () => ran.push('first'),
      old_second: () => ran.push('old_second'),
      new_second: () => ran.push('new_second'),
    };
    const one = await withOrchestrator({
      store,
      maxConcurrentWorkflows: 1,
      actions: {
        ...actions,
        first: async () => {
          entered.open();
          await hold.promise;
        },
      },
    });
    await one.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'old_second' }]);
    const running = await one.workflowEngine.executeWorkflow('w');
    const queued = await one.workflowEngine.executeWorkflow('w');
    await entered.promise;
    await one.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'new_second' }]);
    await one.close();
    hold.open();

    const two = await withOrchestrator({ store, maxConcurrentWorkflows: 1, actions });
    // The next process defines yet another version before the old executions finish.
    await two.workflowEngine.defineWorkflow('w', [{ name: 'new_second' }]);
    const statuses = [
      await two.workflowEngine.waitForCompletion(running, { timeout: 10 }),
      await two.workflowEngine.waitForCompletion(queued, { timeout: 10 }),
    ];
    expect(statuses.map((s) => [s.status, s.workflowVersion, s.totalSteps])).toEqual([
      ['completed', 1, 2],
      ['completed', 1, 2],
    ]);
    expect(ran).toEqual(['first', 'old_second', 'first', 'old_second']);
    expect((await two.workflowEngine.getWorkflow('w'))?.version).toBe(3);
  });
});

describe('storing a definition when the store misbehaves', () => {
  it('retries a failed save (after reloading) and gives up with the store error on the third failure', async () => {
    let failures = 2;
    const flaky = new (class extends MemoryStore {
      override async saveDefinition(def: Parameters<MemoryStore['saveDefinition']>[0]): Promise<boolean> {
        if (failures-- > 0) throw new OrchestratorError('STORE_UNAVAILABLE', 'store down');
        return super.saveDefinition(def);
      }
    })();
    const orch = await withOrchestrator({ store: flaky });
    const def = await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', action: 'noop' }]);
    expect(def.version).toBe(1);

    failures = 3;
    await expect(
      orch.workflowEngine.defineWorkflow('w', [{ name: 'b', action: 'noop' }]),
    ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((await flaky.listDefinitions('w')).map((d) => d.version)).toEqual([1]);
  });

  it('fails with a ConflictError when every version it tries is taken by others', async () => {
    const crowded = new (class extends MemoryStore {
      override async saveDefinition(): Promise<boolean> {
        return false;
      }
    })();
    const orch = await withOrchestrator({ store: crowded });
    await expect(
      orch.workflowEngine.defineWorkflow('w', [{ name: 'a', action: 'noop' }]),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining("Workflow 'w'") });
  });
});

const DEFAULTS = { retryAttempts: 3, retryDelay: 5, workflowTimeout: 300 };

/** A memory store that counts definition reads and, while `down`, fails them with `failure`. */
class DefinitionReads extends MemoryStore {
  reads = 0;
  down = false;
  constructor(private readonly failure: () => Promise<never>) {
    super();
  }
  override async listDefinitions(
    ...args: Parameters<MemoryStore['listDefinitions']>
  ): ReturnType<MemoryStore['listDefinitions']> {
    this.reads++;
    if (this.down) return this.failure();
    return super.listDefinitions(...args);
  }
}

describe('re-reading definitions while the store is down', () => {
  it('tries a failed re-read again after the refresh interval, not on every call', async () => {
    const clock = new FakeClock();
    const store = new DefinitionReads(async () => {
      throw new OrchestratorError('STORE_UNAVAILABLE', 'store down');
    });
    const registry = new DefinitionRegistry(store, DEFAULTS, clock, 1000);
    await registry.define('w', [{ name: 'a' }]);
    await clock.advance(2000);
    store.down = true;
    store.reads = 0;
    // Each call would otherwise wait for its own failing read (a connection timeout) first.
    for (let i = 0; i < 3; i++) expect((await registry.latest('w'))?.def.version).toBe(1);
    expect(store.reads).toBe(1);
    await clock.advance(1000);
    store.down = false;
    expect((await registry.latest('w'))?.def.version).toBe(1);
    expect(store.reads).toBe(2);
  });

  it('waits the refresh interval from when a slow failing re-read ended (a connection timeout)', async () => {
    const clock = new FakeClock();
    const store = new DefinitionReads(async () => {
      // Fails only once the connection attempt timed out, well past the refresh interval.
      await clock.advance(5000);
      throw new OrchestratorError('STORE_UNAVAILABLE', 'timeout exceeded when trying to connect');
    });
    const registry = new DefinitionRegistry(store, DEFAULTS, clock, 1000);
    await registry.define('w', [{ name: 'a' }]);
    await clock.advance(2000);
    store.down = true;
    store.reads = 0;
    expect((await registry.latest('w'))?.def.version).toBe(1);
    // The next calls, within the interval after that failure, do not each wait for one more.
    expect((await registry.latest('w'))?.def.version).toBe(1);
    await clock.advance(500);
    expect((await registry.latest('w'))?.def.version).toBe(1);
    expect(store.reads).toBe(1);
    await clock.advance(500);
    expect((await registry.latest('w'))?.def.version).toBe(1);
    expect(store.reads).toBe(2);
  });
});

describe('many versions of one workflow on a durable store', () => {
  it('defining and running the next version reads only the versions it does not know yet', async () => {
    // Every definition read from the store, by version: a define that re-read every stored version
    // made defining N versions quadratic (25 ms per define at first, 110 ms at 2,000 versions).
    const read: number[] = [];
    const store = new (class extends SqliteStore {
      override async listDefinitions(...args: Parameters<SqliteStore['listDefinitions']>) {
        const records = await super.listDefinitions(...args);
        read.push(...records.map((d) => d.version));
        return records;
      }
    })(join(tempDir(), 'versions.sqlite'));
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store, clock, sweepInterval: 1, actions: { a: () => 1 } });
    for (let v = 1; v <= 5; v++)
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }], { timeout: v });
    read.length = 0;
    const sixth = await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }], { timeout: 6 });
    expect(sixth.version).toBe(6);
    expect(read).toEqual([]);
    // A later read (the definitions are re-read every sweepInterval) fetches nothing it knows either.
    await clock.advance(2000);
    const status = await runToEnd(orch, 'w');
    expect(status).toMatchObject({ status: 'completed', workflowVersion: 6 });
    expect(read).toEqual([]);
  });
});
