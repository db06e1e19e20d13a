/**
 * Configuration (SPEC §2): the seed's defaults, every key's validation with a ValidationError
 * naming the key, the store selection order (explicit `store`, persistence off → memory,
 * ORCHESTRATOR_STORE, the default SQLite file), and `actions` / `compensations` registered
 * before unfinished executions are resumed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOrchestrator,
  DEFAULT_SQLITE_STORE,
  DEFAULTS,
  type OrchestratorOptions,
  ValidationError,
} from '../../src/index.js';
import { gate, tempDir, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

async function rejection(options: unknown): Promise<ValidationError> {
  const error = await createOrchestrator(options as OrchestratorOptions).then(
    async (orch) => {
      await orch.close();
      return new Error(`accepted ${JSON.stringify(options)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('config defaults', () => {
  it("uses the seed's defaults", async () => {
    expect(DEFAULTS).toMatchObject({
      maxConcurrentWorkflows: 100,
      workflowTimeout: 300,
      retryAttempts: 3,
      retryDelay: 5,
      enableWorkflowPersistence: true,
      enableCompensation: true,
      workers: ['worker_1'],
      maxStepInterruptions: 10,
    });
    expect(DEFAULT_SQLITE_STORE).toBe('sqlite:./data/orchestrator.sqlite');
    const orch = await withOrchestrator({ store: 'memory' });
    expect(orch.config).toMatchObject({
      maxConcurrentWorkflows: 100,
      workflowTimeout: 300,
      retryAttempts: 3,
      retryDelay: 5,
      enableWorkflowPersistence: true,
      enableCompensation: true,
      workers: ['worker_1'],
    });
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ worker_1: 0 });
    expect(orch.errorRecovery.getBackoffDelay(1)).toBe(1);
    expect(orch.errorRecovery.getBackoffDelay(4)).toBe(5);
  });

  it('accepts fractional durations in seconds', async () => {
    const orch = await withOrchestrator({ store: 'memory', workflowTimeout: 0.5, retryDelay: 0.25 });
    expect(orch.config).toMatchObject({ workflowTimeout: 0.5, retryDelay: 0.25 });
    expect(orch.errorRecovery.getBackoffDelay(1)).toBe(0.25);
  });

  it('takes readonly (`as const`, frozen) workers and httpAllowlist without a cast', async () => {
    // Type-checked by `npm run lint`: Config used to demand mutable string[] (TS4104).
    const workers = Object.freeze(['w1', 'w2'] as const);
    const httpAllowlist = Object.freeze(['localhost'] as const);
    const orch = await withOrchestrator({ store: 'memory', workers, httpAllowlist });
    expect(orch.loadBalancer.getLoadDistribution()).toEqual({ w1: 0, w2: 0 });
  });

  it('ignores keys given as undefined', async () => {
    const orch = await withOrchestrator({ store: 'memory', retryAttempts: undefined });
    expect(orch.config.retryAttempts).toBe(3);
  });
});

describe('config validation', () => {
  const cases: [string, unknown][] = [
    ['maxConcurrentWorkflows', 0],
    ['maxConcurrentWorkflows', 1.5],
    ['maxConcurrentWorkflows', '10'],
    ['workflowTimeout', 0],
    ['workflowTimeout', -5],
    ['workflowTimeout', '300'],
    ['retryAttempts', -1],
    ['retryAttempts', 2.5],
    ['retryDelay', 0],
    ['retryDelay', Number.NaN],
    ['enableWorkflowPersistence', 'yes'],
    ['enableCompensation', 1],
    ['store', 'redis://localhost'],
    ['store', 42],
    ['workers', []],
    ['workers', 'worker_1'],
    ['workers', ['a', 'a']],
    // A worker id is stored as each execution's workerId: PostgreSQL would keep U+FFFD for these.
    ['workers', ['w\u0000x']],
    ['workers', ['w\ud800']],
    ['slowThreshold', -1],
    ['leaseSeconds', 0],
    ['sweepInterval', -1],
    // A housekeeping round per few microseconds would keep the store busy for nothing.
    ['sweepInterval', 1e-9],
    ['maxStepInterruptions', -1],
    ['maxStepInterruptions', 1.5],
    ['maxStepInterruptions', '10'],
    ['retention', 0],
    ['retention', 59],
    ['retention', -1],
    ['retention', '7d'],
    ['alerts', { failureRate: 2 }],
    // The failure rate is taken over a workflow's last 100 executions: more samples never come.
    ['alerts', { minSamples: 101 }],
    ['alerts', { unknownThreshold: 1 }],
    ['nodeId', ''],
    ['clock', {}],
    ['logger', 'console'],
    ['httpAllowlist', [1]],
    // Entries that could never match anything: a bad CIDR block, a URL, a host with a port.
    ['httpAllowlist', ['10.0.0.0/99']],
    ['httpAllowlist', ['https://api.example.com']],
    ['httpAllowlist', ['api.example.com:8443']],
    ['httpAllowlist', ['*.']],
  ];

  it.each(cases)('rejects %s = %j with a ValidationError naming the key', async (key, value) => {
    const error = await rejection({ store: 'memory', [key]: value });
    expect(error.message).toContain(key);
    expect(
      error.issues.some(
        (i) => i.path === key || i.path.startsWith(`${key}.`) || i.path.startsWith(`${key}[`),
      ),
    ).toBe(true);
    expect(error.code).toBe('VALIDATION');
  });

  // A value of the wrong type gets the key's own "Expected …" message, not zod's generic text
  // ("Invalid input" says nothing of what `store` takes).
  const wrongTypes: [string, unknown, RegExp][] = [
    [
      'store',
      42,
      /^Expected `store` to be "memory", "sqlite:<path>", "postgres:\/\/\.\.\." or a Store instance, got 42$/,
    ],
    ['store', {}, /^Expected `store` to be .* or a Store instance, got an object$/],
    ['store', null, /^Expected `store` to be .* or a Store instance, got null$/],
    ['store', true, /^Expected `store` to be .* or a Store instance, got true$/],
    [
      'maxConcurrentWorkflows',
      '10',
      /^Expected `maxConcurrentWorkflows` to be a positive integer, got "10"$/,
    ],
    [
      'maxConcurrentWorkflows',
      null,
      /^Expected `maxConcurrentWorkflows` to be a positive integer, got null$/,
    ],
    // A whole number past 2^53 - 1 is refused for its size, not as "no integer".
    [
      'maxConcurrentWorkflows',
      1e20,
      /^Expected `maxConcurrentWorkflows` to be a positive integer of at most 9007199254740991, got 100000000000000000000$/,
    ],
    ['maxConcurrentWorkflows', 1.5, /^Expected `maxConcurrentWorkflows` to be a positive integer, got 1.5$/],
    [
      'retryAttempts',
      2 ** 60,
      /^Expected `retryAttempts` to be a non-negative integer of at most 9007199254740991, got \d+$/,
    ],
  ];

  it.each(wrongTypes)('says what %s takes when given %j', async (key, value, message) => {
    const error = await rejection({ store: 'memory', [key]: value });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe(key);
    expect(error.issues[0]?.message).toMatch(message);
  });

  // An empty id is refused once, in words that say what the key takes (not zod's "Too small:
  // expected string to have >=1 characters", nor that text beside the entry's own).
  const emptyIds: [string, unknown, string, RegExp][] = [
    ['nodeId', '', 'nodeId', /^Expected `nodeId` to be a non-empty string, got ""$/],
    ['workers', ['a', ''], 'workers[1]', /^Expected a worker id \(a non-empty string\), got ""$/],
    ['httpAllowlist', [''], 'httpAllowlist[0]', /^'' is not a host name/],
  ];

  it.each(emptyIds)(
    'refuses an empty %s entry once, saying what it takes',
    async (key, value, path, message) => {
      const error = await rejection({ store: 'memory', [key]: value });
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.path).toBe(path);
      expect(error.issues[0]?.message).toMatch(message);
    },
  );

  // Each alert threshold, like the top-level keys, says what it takes and what it got.
  const badAlerts: [unknown, string, RegExp][] = [
    [5, 'alerts', /^Expected `alerts` to be an object of alert thresholds, got 5$/],
    [
      { failureRate: 2 },
      'alerts.failureRate',
      /^Expected `alerts.failureRate` to be a fraction from 0 to 1, got 2$/,
    ],
    [
      { failureRate: 'x' },
      'alerts.failureRate',
      /^Expected `alerts.failureRate` to be a fraction from 0 to 1, got "x"$/,
    ],
    [
      { minSamples: 0 },
      'alerts.minSamples',
      /^Expected `alerts.minSamples` to be a positive integer, got 0$/,
    ],
    [
      { minSamples: 1e20 },
      'alerts.minSamples',
      /^Expected `alerts.minSamples` to be a positive integer of at most 100, got 100000000000000000000$/,
    ],
    [
      { minSamples: 1.5 },
      'alerts.minSamples',
      /^Expected `alerts.minSamples` to be a positive integer, got 1.5$/,
    ],
    [
      { executionTimeMs: -1 },
      'alerts.executionTimeMs',
      /^Expected `alerts.executionTimeMs` to be a positive number of ms, got -1$/,
    ],
    [
      { imbalanceThreshold: 'x' },
      'alerts.imbalanceThreshold',
      /^Expected `alerts.imbalanceThreshold` to be a positive number, got "x"$/,
    ],
    [
      { imbalanceMinActive: 1.5 },
      'alerts.imbalanceMinActive',
      /^Expected `alerts.imbalanceMinActive` to be a non-negative integer, got 1.5$/,
    ],
    [
      { cooldown: -1 },
      'alerts.cooldown',
      /^Expected `alerts.cooldown` to be a non-negative number of seconds, got -1$/,
    ],
  ];

  it.each(badAlerts)('refuses alerts = %j, naming %s and what it takes', async (alerts, path, message) => {
    const error = await rejection({ store: 'memory', alerts });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe(path);
    expect(error.issues[0]?.message).toMatch(message);
  });

  it('refuses a clock without sleep(), naming the method it lacks', async () => {
    // The engine sleeps on the clock (backoff, delay steps): without it the first retry would throw.
    const clock = { now: () => Date.now(), setTimer: () => ({ cancel: () => undefined }) };
    const error = await rejection({ store: 'memory', clock });
    expect(error.issues.map((i) => i.path)).toEqual(['clock']);
    expect(error.message).toContain('it lacks sleep()');
  });

  it.each([
    [() => Number.NaN, 'Expected `clock.now()` to return a finite number of ms, got NaN'],
    [() => '5', 'Expected `clock.now()` to return a finite number of ms, got "5"'],
    [
      () => {
        throw new Error('no time');
      },
      '`clock.now()` threw: no time',
    ],
  ])('refuses a clock whose now() gives no finite number (%s), naming clock', async (now, message) => {
    // NaN made every time and deadline wrong; a throwing now() failed the start with a bare Error.
    const clock = { now, setTimer: () => ({ cancel: () => undefined }), sleep: async () => undefined };
    const error = await rejection({ store: 'memory', clock: clock as never });
    expect(error.issues).toEqual([{ path: 'clock', message }]);
  });

  // Past these, a lease end overflowed PostgreSQL's bigint column (a raw database error at
  // start) and timers ran past what Node's timers take; definitions already stop at 1e9 s.
  const tooLong: [string, unknown, string][] = [
    ['workflowTimeout', 1e9 + 1, 'workflowTimeout'],
    ['retryDelay', 1e12, 'retryDelay'],
    ['leaseSeconds', 1e16, 'leaseSeconds'],
    ['sweepInterval', 1e300, 'sweepInterval'],
    ['slowThreshold', 1e300, 'slowThreshold'],
    ['alerts', { cooldown: 1e300 }, 'alerts.cooldown'],
    ['alerts', { executionTimeMs: 1e300 }, 'alerts.executionTimeMs'],
  ];

  it.each(tooLong)(
    'rejects %s = %j, longer than any sane duration, naming the key',
    async (key, value, path) => {
      const error = await rejection({ store: 'memory', [key]: value });
      const issue = error.issues.find((i) => i.path === path);
      expect(issue?.message).toMatch(/at most 1e\+?(9|12)|at most 1000000000/);
      expect(error.message).toContain(path);
    },
  );

  it('accepts durations up to the limit', async () => {
    const orch = await withOrchestrator({
      store: 'memory',
      workflowTimeout: 1e9,
      retryDelay: 1e9,
      leaseSeconds: 1e9,
      sweepInterval: 1e8,
      slowThreshold: 1e12,
      alerts: { cooldown: 1e9, executionTimeMs: 1e12 },
    });
    expect(orch.config.leaseSeconds).toBe(1e9);
  });

  it('accepts every documented httpAllowlist entry form', async () => {
    const entries = [
      'api.local',
      '*.corp.example',
      '127.0.0.1',
      '::1',
      '[::1]',
      '10.0.0.0/8',
      'fd00::/8',
      'Host_1.',
    ];
    const orch = await withOrchestrator({ store: 'memory', httpAllowlist: entries });
    expect(orch.config.httpAllowlist).toEqual(entries);
  });

  it('names every bad key in one error', async () => {
    const error = await rejection({
      store: 'memory',
      maxConcurrentWorkflows: -1,
      retryDelay: 0,
      workers: [],
    });
    for (const key of ['maxConcurrentWorkflows', 'retryDelay', 'workers'])
      expect(error.message).toContain(key);
  });

  it('rejects unknown keys by name', async () => {
    const error = await rejection({ store: 'memory', max_concurrent_workflows: 10 });
    expect(error.message).toContain('max_concurrent_workflows');
  });

  it('rejects a config that is not an object', async () => {
    await rejection('memory');
    await rejection([]);
  });

  it('rejects bad actions and compensations, naming them', async () => {
    expect((await rejection({ store: 'memory', actions: 'validate' })).message).toContain('actions');
    const badAction = await rejection({ store: 'memory', actions: { validate: 'not a function' } });
    expect(badAction.message).toContain('actions');
    expect(badAction.message).toContain('validate');
    const badComp = await rejection({ store: 'memory', compensations: { undo_x: 1 } });
    expect(badComp.message).toContain('compensations');
    expect(badComp.message).toContain('undo_x');
    expect((await rejection({ store: 'memory', actions: { delay: () => 1 } })).message).toContain('delay');
  });

  it('refuses a handler name no definition could give (`__proto__`, a space, too long), naming it', async () => {
    for (const kind of ['actions', 'compensations'] as const) {
      for (const [name, why] of [
        ['__proto__', /reserved/],
        ['undo order', /only ASCII letters, digits/],
        ['x'.repeat(129), /at most 128 characters, got 129/],
      ] as const) {
        // An own `__proto__` key, as JSON.parse or a spread would give it.
        const handlers = Object.defineProperty({}, name, { value: () => 1, enumerable: true });
        const error = await rejection({ store: 'memory', [kind]: handlers });
        expect(error.issues.map((i) => i.path)).toEqual([`${kind}.${name}`]);
        expect(error.message).toMatch(why);
      }
    }
  });

  it('names `actions.<name>` for a built-in action name, before the store is opened', async () => {
    const file = join(tempDir(), 'never.sqlite');
    for (const name of ['noop', 'delay', 'http']) {
      const error = await rejection({ store: `sqlite:${file}`, actions: { [name]: () => 1 } });
      expect(error.issues.map((i) => i.path)).toEqual([`actions.${name}`]);
      expect(error.message).toContain(`actions.${name}`);
      expect(error.message).toContain('built-in');
    }
    // Rejected at the edge like every other bad key: nothing was created on disk.
    expect(existsSync(file)).toBe(false);
  });
});

describe('store selection (SPEC §2 order)', () => {
  let savedEnv: string | undefined;
  let savedCwd: string;
  beforeEach(() => {
    savedEnv = process.env.ORCHESTRATOR_STORE;
    savedCwd = process.cwd();
  });
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.ORCHESTRATOR_STORE;
    else process.env.ORCHESTRATOR_STORE = savedEnv;
    process.chdir(savedCwd);
  });

  it('uses an explicit store first, even with ORCHESTRATOR_STORE set', async () => {
    const envFile = join(tempDir(), 'env.sqlite');
    process.env.ORCHESTRATOR_STORE = `sqlite:${envFile}`;
    const orch = await withOrchestrator({ store: 'memory', enableWorkflowPersistence: true });
    expect(orch.store.durable).toBe(false);
    expect(existsSync(envFile)).toBe(false);
    const explicitFile = join(tempDir(), 'explicit.sqlite');
    const durable = await withOrchestrator({
      store: `sqlite:${explicitFile}`,
      enableWorkflowPersistence: false,
    });
    expect(durable.store.durable).toBe(true);
    expect(existsSync(explicitFile)).toBe(true);
    expect(existsSync(envFile)).toBe(false);
  });

  it('uses memory when enableWorkflowPersistence is false, even with ORCHESTRATOR_STORE set', async () => {
    const envFile = join(tempDir(), 'env.sqlite');
    process.env.ORCHESTRATOR_STORE = `sqlite:${envFile}`;
    const orch = await withOrchestrator({ store: undefined, enableWorkflowPersistence: false });
    expect(orch.store.durable).toBe(false);
    expect(existsSync(envFile)).toBe(false);
  });

  it('uses ORCHESTRATOR_STORE when no store is given and persistence is on', async () => {
    const envFile = join(tempDir(), 'env.sqlite');
    process.env.ORCHESTRATOR_STORE = `sqlite:${envFile}`;
    const orch = await withOrchestrator({ store: undefined });
    expect(orch.store.durable).toBe(true);
    expect(existsSync(envFile)).toBe(true);
  });

  it('rejects a bad ORCHESTRATOR_STORE naming the variable, with its password hidden', async () => {
    process.env.ORCHESTRATOR_STORE = 'mysql://admin:s3cret@db.example/orders';
    const error = await rejection({});
    expect(error.issues.map((i) => i.path)).toEqual(['ORCHESTRATOR_STORE']);
    expect(error.message).toContain('ORCHESTRATOR_STORE');
    expect(error.message).not.toContain('s3cret');
    process.env.ORCHESTRATOR_STORE = 'sqlite:';
    expect((await rejection({})).issues.map((i) => i.path)).toEqual(['ORCHESTRATOR_STORE']);
    // Not consulted when the config chooses the store.
    await (await createOrchestrator({ store: 'memory' })).close();
    await (await createOrchestrator({ enableWorkflowPersistence: false })).close();
  });

  it('uses ./data/orchestrator.sqlite by default', async () => {
    delete process.env.ORCHESTRATOR_STORE;
    const dir = tempDir();
    process.chdir(dir);
    const orch = await withOrchestrator({ store: undefined });
    expect(orch.store.durable).toBe(true);
    expect(existsSync(join(dir, 'data', 'orchestrator.sqlite'))).toBe(true);
    // Persisted: a definition survives a restart on the default store.
    await orch.workflowEngine.defineWorkflow('kept', [{ name: 'a', action: 'noop' }]);
    await orch.close();
    const again = await withOrchestrator({ store: undefined });
    expect((await again.workflowEngine.getWorkflow('kept'))?.version).toBe(1);
  });
});

describe('handlers are in place before recovery (sqlite store; memory has nothing to recover)', () => {
  it('resumes an unfinished execution with the actions and compensations given to createOrchestrator', async () => {
    const store = tempSqliteUrl();
    const inB = gate();
    const calls: string[] = [];
    const first = await withOrchestrator({
      store,
      actions: {
        a: () => {
          calls.push('a@1');
          return { id: 'A' };
        },
        b: async () => {
          calls.push('b@1');
          inB.open();
          await new Promise(() => undefined);
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo_a' }, { name: 'b' }]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await inB.promise;
    await first.close();

    // The new process registers its handlers through createOrchestrator only: recovery runs
    // inside createOrchestrator, so they must be in place before it resumes the execution.
    const second = await withOrchestrator({
      store,
      actions: {
        a: () => calls.push('a@2'),
        b: () => {
          calls.push('b@2');
          throw new Error('b failed after restart');
        },
      },
      compensations: { undo_a: (out) => calls.push(`undo_a ${JSON.stringify(out)}`) },
    });
    const status = await second.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('failed');
    expect(status.error?.code).not.toBe('ACTION_NOT_FOUND');
    expect(calls).toEqual(['a@1', 'b@1', 'b@2', 'undo_a {"id":"A"}']);
    expect(status.compensatedSteps).toEqual(['a']);
  });
});

describe('lease and sweep timing', () => {
  it('requires leaseSeconds to be at least 3 × sweepInterval, naming leaseSeconds', async () => {
    const { createOrchestrator, ValidationError } = await import('../../src/index.js');
    const attempt = createOrchestrator({ store: 'memory', leaseSeconds: 2, sweepInterval: 1 });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(createOrchestrator({ store: 'memory', leaseSeconds: 2, sweepInterval: 1 })).rejects.toThrow(
      /leaseSeconds: Expected `leaseSeconds` to be at least 3 × `sweepInterval`/,
    );
    const ok = await createOrchestrator({ store: 'memory', leaseSeconds: 3, sweepInterval: 1 });
    await ok.close();
  });
});
