/**
 * An options object whose getter or Proxy trap throws (a lazily computed config, a Proxy whose
 * traps throw, a revoked Proxy, on which even Array.isArray throws) was thrown on raw by every
 * entry point — createOrchestrator, executeWorkflow, waitForCompletion, listExecutions,
 * countExecutions, purgeExecutions, close, buildApp, createRemoteWorker, createDashboard,
 * ErrorRecovery, LoadBalancer, PerformanceOptimizer, MemoryStore — a bare Error with no code and
 * no path. Each now refuses it with a ValidationError naming what could not be read.
 */
import { describe, expect, it } from 'vitest';
import {
  buildApp,
  createDashboard,
  createOrchestrator,
  createRemoteWorker,
  ErrorRecovery,
  LoadBalancer,
  MemoryStore,
  PerformanceOptimizer,
  ValidationError,
} from '../../src/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

/** An object whose `key` throws when read. */
function throwingGetter(key: string): object {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error('secret vault locked');
    },
  });
}

/** A proxy whose every trap that reads throws (its keys, values, prototype). */
function throwingProxy(): object {
  const fail = () => {
    throw new Error('proxy trap');
  };
  return new Proxy({}, { ownKeys: fail, get: fail, has: fail, getOwnPropertyDescriptor: fail });
}

/** A revoked proxy: every operation on it throws, even `Array.isArray`. */
function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** The issues of the ValidationError `call` throws or rejects with. */
async function issuesOf(call: () => unknown): Promise<{ path: string; message: string }[]> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  return (caught as ValidationError).issues;
}

describe('options whose reads throw', () => {
  it('createOrchestrator names the config key, nested list item or handler that could not be read', async () => {
    expect(
      await issuesOf(() =>
        createOrchestrator(Object.assign(throwingGetter('workflowTimeout'), { store: 'memory' })),
      ),
    ).toEqual([{ path: 'workflowTimeout', message: 'could not be read (secret vault locked)' }]);
    const getterFirst = throwingGetter('retryDelay');
    expect((await issuesOf(() => createOrchestrator(getterFirst)))[0]?.path).toBe('retryDelay');
    expect((await issuesOf(() => createOrchestrator(throwingProxy())))[0]?.path).toBe('');
    expect((await issuesOf(() => createOrchestrator(revokedProxy())))[0]?.path).toBe('');
    const alerts = throwingGetter('failureRate');
    expect((await issuesOf(() => createOrchestrator({ store: 'memory', alerts })))[0]?.path).toBe(
      'alerts.failureRate',
    );
    const workers = new Proxy(['w1'], {
      get(target, key) {
        if (key === '0') throw new Error('no');
        return Reflect.get(target, key);
      },
    });
    expect((await issuesOf(() => createOrchestrator({ store: 'memory', workers })))[0]?.path).toBe(
      'workers[0]',
    );
    const actions = throwingGetter('charge') as never;
    expect((await issuesOf(() => createOrchestrator({ store: 'memory', actions })))[0]?.path).toBe(
      'actions.charge',
    );
    const on = throwingGetter('alert') as never;
    expect((await issuesOf(() => createOrchestrator({ store: 'memory', on })))[0]?.path).toBe('on.alert');
  });

  it('the engine calls name the option or filter that could not be read', async () => {
    const orch = await withOrchestrator();
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a', action: 'noop' }]);
    const id = await engine.executeWorkflow('w', {});
    const calls: [string, (options: never) => unknown][] = [
      ['idempotencyKey', (o) => engine.executeWorkflow('w', {}, o)],
      ['timeout', (o) => engine.waitForCompletion(id, o)],
      ['status', (o) => engine.listExecutions(o)],
      ['workflowId', (o) => engine.countExecutions(o)],
      ['before', (o) => engine.purgeExecutions(o)],
    ];
    for (const [key, call] of calls) {
      expect(await issuesOf(() => call(throwingGetter(key) as never))).toEqual([
        { path: key, message: 'could not be read (secret vault locked)' },
      ]);
      expect((await issuesOf(() => call(throwingProxy() as never)))[0]?.path).toBe('');
      expect((await issuesOf(() => call(revokedProxy() as never)))[0]?.path).toBe('');
    }
    expect(await issuesOf(() => orch.close(throwingGetter('grace')))).toEqual([
      { path: 'grace', message: 'could not be read (secret vault locked)' },
    ]);
  });

  it('a call made without options refuses a known option a getter on Object.prototype throws on, as for {}', async () => {
    // Left out, the options are an empty object all the same (a shared one): its known keys are
    // read through its prototype as `{}`'s were, and a getter put on Object.prototype that throws is
    // named, not thrown raw.
    const orch = await withOrchestrator();
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a', action: 'noop' }]);
    const id = await engine.executeWorkflow('w', {});
    await engine.waitForCompletion(id);
    const calls: [string, () => Promise<unknown>][] = [
      ['idempotencyKey', () => engine.executeWorkflow('w', {})],
      ['timeout', () => engine.waitForCompletion(id)],
    ];
    for (const [key, call] of calls) {
      const issues = issuesOf(() => {
        Object.defineProperty(Object.prototype, key, {
          configurable: true,
          get() {
            throw new Error('secret vault locked');
          },
        });
        try {
          // Removed again before anything else runs: the check comes before the call's first await.
          return call();
        } finally {
          delete (Object.prototype as Record<string, unknown>)[key];
        }
      });
      expect(await issues).toEqual([{ path: key, message: 'could not be read (secret vault locked)' }]);
    }
  });

  it('the other constructors and factories name the option that could not be read', async () => {
    const orch = await withOrchestrator();
    const calls: [string, (options: never) => unknown][] = [
      ['token', (o) => buildApp(orch, o)],
      ['url', (o) => createRemoteWorker(o)],
      ['basePath', (o) => createDashboard(o)],
      ['maxDelay', (o) => new ErrorRecovery(o)],
      ['workers', (o) => new LoadBalancer(o)],
      ['slowThreshold', (o) => new PerformanceOptimizer(o)],
      ['maxFinished', (o) => new MemoryStore(o)],
      ['maxAttempts', (o) => orch.errorRecovery.retryStep('a', o)],
    ];
    for (const [key, call] of calls) {
      const issues = await issuesOf(() => call(throwingGetter(key) as never));
      expect(issues).toContainEqual({ path: key, message: 'could not be read (secret vault locked)' });
      expect((await issuesOf(() => call(throwingProxy() as never)))[0]?.path).toBe('');
      expect((await issuesOf(() => call(revokedProxy() as never)))[0]?.path).toBe('');
    }
  });
});
