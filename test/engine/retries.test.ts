/**
 * Retries (SPEC §3, §4): exponential backoff 1 s, 2 s, 4 s capped by `retryDelay` (measured in
 * virtual time), `maxAttempts` counts retries after the first run, NonRetryableError and
 * ACTION_NOT_FOUND are never retried, `nonRetryable` lists error names or codes, and a step's
 * error code is the handler error's own string code, else STEP_FAILED.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, NonRetryableError } from '../../src/index.js';
import {
  collectEvents,
  finishWithClock,
  STORE_KINDS,
  storeUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** A handler that records the virtual time of each call and fails the first `failures` calls. */
function flaky(clock: FakeClock, failures: number, make: () => unknown = () => new Error('transient')) {
  const times: number[] = [];
  const handler = () => {
    times.push(clock.now());
    if (times.length <= failures) throw make();
    return { calls: times.length };
  };
  const gaps = () => times.slice(1).map((t, i) => t - (times[i] as number));
  return { times, handler, gaps };
}

describe.each(STORE_KINDS)('retries (%s store)', (kind) => {
  async function setup(options: Record<string, unknown> = {}) {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store: storeUrl(kind), clock, ...options });
    return { clock, orch };
  }

  it('waits 1 s, 2 s, 4 s between runs with the default policy (`retry: true`)', async () => {
    const { clock, orch } = await setup();
    const f = flaky(clock, 3);
    orch.workflowEngine.registerAction('call', f.handler);
    const events = collectEvents(orch, ['step.failed']);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'call', retry: true }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { stepMs: 250 });
    expect(status.status).toBe('completed');
    expect(f.gaps()).toEqual([1000, 2000, 4000]);
    expect(events.of('step.failed').map((e) => e.delayMs)).toEqual([1000, 2000, 4000]);
    const step = status.steps[0];
    expect(step?.attempts).toBe(4);
    expect(step?.history?.map((h) => h.retryAt?.getTime())).toEqual([
      (f.times[0] as number) + 1000,
      (f.times[1] as number) + 2000,
      (f.times[2] as number) + 4000,
      undefined,
    ]);
    // Every attempt is closed at its end; the failed ones keep their error, the last has none.
    expect(
      step?.history?.map((h) => [
        h.attempt,
        h.startedAt.getTime(),
        h.completedAt?.getTime(),
        h.error?.message,
      ]),
    ).toEqual([
      [1, f.times[0], f.times[0], 'transient'],
      [2, f.times[1], f.times[1], 'transient'],
      [3, f.times[2], f.times[2], 'transient'],
      [4, f.times[3], f.times[3], undefined],
    ]);
  });

  it('caps each delay at retryDelay', async () => {
    const { clock, orch } = await setup({ retryDelay: 3, retryAttempts: 5 });
    const f = flaky(clock, 5);
    orch.workflowEngine.registerAction('call', f.handler);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'call', retry: true }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { stepMs: 250 });
    expect(status.status).toBe('completed');
    expect(f.gaps()).toEqual([1000, 2000, 3000, 3000, 3000]);
  });

  it('caps the seed defaults at 5 s: 1, 2, 4, 5, 5', async () => {
    const { clock, orch } = await setup();
    const f = flaky(clock, 5);
    orch.workflowEngine.registerAction('call', f.handler);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'call', retry: { maxAttempts: 5 } }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { stepMs: 500 });
    expect(status.status).toBe('completed');
    expect(f.gaps()).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('honours initialDelay, backoffCoefficient and maxDelay of a retry policy', async () => {
    const { clock, orch } = await setup();
    const f = flaky(clock, 4);
    orch.workflowEngine.registerAction('call', f.handler);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'call', retry: { maxAttempts: 4, initialDelay: 0.5, backoffCoefficient: 3, maxDelay: 10 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { stepMs: 250 });
    expect(status.status).toBe('completed');
    expect(f.gaps()).toEqual([500, 1500, 4500, 10_000]);
  });

  it('waits whole milliseconds when the coefficient makes fractions, and retries at the retryAt it recorded', async () => {
    const { clock, orch } = await setup();
    const f = flaky(clock, 3);
    orch.workflowEngine.registerAction('call', f.handler);
    const events = collectEvents(orch, ['step.failed']);
    // 1001 ms × 1.5^(n−1): 1001, 1501.5, 2252.25 — kept to whole ms as every other stored time.
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'call', retry: { maxAttempts: 3, initialDelay: 1.001, backoffCoefficient: 1.5, maxDelay: 60 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(3000);
    const waiting = await orch.workflowEngine.getExecutionStatus(id);
    const status = await finishWithClock(orch, clock, id, { stepMs: 250 });
    expect(status.status).toBe('completed');
    expect(events.of('step.failed').map((e) => e.delayMs)).toEqual([1001, 1502, 2252]);
    expect(f.gaps()).toEqual([1001, 1502, 2252]);
    // The retry time a status shows is when the retry runs, not a millisecond before it.
    expect(waiting?.steps[0]?.nextAttemptAt?.getTime()).toBe(f.times[3]);
    const history = status.steps[0]?.history ?? [];
    for (let i = 0; i < 3; i++) {
      expect(history[i]?.retryAt?.getTime()).toBe(history[i + 1]?.startedAt.getTime());
    }
  });

  it('allows 1 + retryAttempts runs with `retry: true` and then fails the step', async () => {
    const { clock, orch } = await setup();
    const f = flaky(clock, Number.POSITIVE_INFINITY);
    orch.workflowEngine.registerAction('call', f.handler);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'call', retry: true }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { stepMs: 250 });
    expect(status.status).toBe('failed');
    expect(f.times).toHaveLength(4);
    expect(status.steps[0]).toMatchObject({ status: 'failed', attempts: 4 });
    expect(status.error).toMatchObject({ code: 'STEP_FAILED', message: 'transient', step: 'call' });
  });

  it('counts maxAttempts as retries after the first run (maxAttempts: 3 → 4 runs; 0 → 1 run)', async () => {
    const { clock, orch } = await setup({ retryAttempts: 1 });
    const three = flaky(clock, Number.POSITIVE_INFINITY);
    const zero = flaky(clock, Number.POSITIVE_INFINITY);
    const dflt = flaky(clock, Number.POSITIVE_INFINITY);
    orch.workflowEngine.registerAction('three', three.handler);
    orch.workflowEngine.registerAction('zero', zero.handler);
    orch.workflowEngine.registerAction('dflt', dflt.handler);
    await orch.workflowEngine.defineWorkflow('w3', [{ name: 'three', retry: { maxAttempts: 3 } }]);
    await orch.workflowEngine.defineWorkflow('w0', [{ name: 'zero', retry: { maxAttempts: 0 } }]);
    await orch.workflowEngine.defineWorkflow('wd', [{ name: 'dflt', retry: true }]);
    for (const w of ['w3', 'w0', 'wd']) {
      const id = await orch.workflowEngine.executeWorkflow(w);
      const status = await finishWithClock(orch, clock, id, { stepMs: 250 });
      expect(status.status).toBe('failed');
    }
    expect(three.times).toHaveLength(4);
    expect(zero.times).toHaveLength(1);
    // retryAttempts: 1 in the config → `retry: true` allows 2 runs.
    expect(dflt.times).toHaveLength(2);
  });

  it('does not retry a step without a retry policy', async () => {
    const { clock, orch } = await setup();
    const f = flaky(clock, Number.POSITIVE_INFINITY);
    orch.workflowEngine.registerAction('call', f.handler);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'call' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('failed');
    expect(f.times).toHaveLength(1);
  });

  it('never retries a NonRetryableError, and uses its code', async () => {
    const { clock, orch } = await setup();
    const plain = flaky(clock, Number.POSITIVE_INFINITY, () => new NonRetryableError('bad card'));
    const coded = flaky(
      clock,
      Number.POSITIVE_INFINITY,
      () => new NonRetryableError('bad', { code: 'CARD_DECLINED' }),
    );
    orch.workflowEngine.registerAction('plain', plain.handler);
    orch.workflowEngine.registerAction('coded', coded.handler);
    await orch.workflowEngine.defineWorkflow('p', [{ name: 'plain', retry: { maxAttempts: 5 } }]);
    await orch.workflowEngine.defineWorkflow('c', [{ name: 'coded', retry: true }]);
    const p = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('p'));
    const c = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('c'));
    expect(plain.times).toHaveLength(1);
    expect(coded.times).toHaveLength(1);
    expect(p.error).toMatchObject({ code: 'NON_RETRYABLE', message: 'bad card', step: 'plain' });
    expect(c.error).toMatchObject({ code: 'CARD_DECLINED', step: 'coded' });
  });

  it('never retries a NonRetryableError of another copy of the package, nor an error with `retryable: false` (as a remote worker reports them)', async () => {
    const { clock, orch } = await setup();
    // What a handler module that imports its own copy of 'orchestrator' throws: not an instance
    // of this copy's class, but named as it is (its own code, default NON_RETRYABLE).
    class OtherCopyNonRetryableError extends Error {
      override name = 'NonRetryableError';
      code = 'CARD_DECLINED';
    }
    const copy = flaky(clock, Number.POSITIVE_INFINITY, () => new OtherCopyNonRetryableError('declined'));
    const flagged = flaky(clock, Number.POSITIVE_INFINITY, () =>
      Object.assign(new Error('bad input'), { retryable: false }),
    );
    // Retryable on its face: still retried.
    const marked = flaky(clock, 1, () => Object.assign(new Error('try again'), { retryable: true }));
    orch.workflowEngine.registerAction('copy', copy.handler);
    orch.workflowEngine.registerAction('flagged', flagged.handler);
    orch.workflowEngine.registerAction('marked', marked.handler);
    await orch.workflowEngine.defineWorkflow('a', [{ name: 'copy', retry: { maxAttempts: 5 } }]);
    await orch.workflowEngine.defineWorkflow('b', [{ name: 'flagged', retry: true }]);
    await orch.workflowEngine.defineWorkflow('c', [{ name: 'marked', retry: true }]);
    const a = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('a'));
    const b = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('b'));
    const c = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('c'));
    expect(copy.times).toHaveLength(1);
    expect(a.error).toMatchObject({ code: 'CARD_DECLINED', message: 'declined', step: 'copy' });
    expect(flagged.times).toHaveLength(1);
    expect(b.error).toMatchObject({ code: 'STEP_FAILED', message: 'bad input', step: 'flagged' });
    expect(marked.times).toHaveLength(2);
    expect(c.status).toBe('completed');
  });

  it("never retries a handler's own error carrying a code the engine never retries (VALIDATION, CANCELLED), as README says", async () => {
    const { clock, orch } = await setup();
    // Not thrown by the engine: the handler's own errors, with those codes (a ValidationError of a
    // call it made; a service's "cancelled" answer). No cancel was asked for.
    const invalid = flaky(clock, Number.POSITIVE_INFINITY, () =>
      Object.assign(new Error('bad input'), { code: 'VALIDATION' }),
    );
    const cancelled = flaky(clock, Number.POSITIVE_INFINITY, () => ({ code: 'CANCELLED', message: 'gone' }));
    orch.workflowEngine.registerAction('invalid', invalid.handler);
    orch.workflowEngine.registerAction('cancelled', cancelled.handler);
    await orch.workflowEngine.defineWorkflow('v', [{ name: 'invalid', retry: { maxAttempts: 5 } }]);
    await orch.workflowEngine.defineWorkflow('c', [{ name: 'cancelled', retry: true }]);
    const v = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('v'));
    const c = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('c'));
    expect(invalid.times).toHaveLength(1);
    expect(v).toMatchObject({
      status: 'failed',
      error: { code: 'VALIDATION', message: 'bad input', step: 'invalid' },
    });
    expect(cancelled.times).toHaveLength(1);
    // The step failed (its execution was not cancelled): the code is the handler's own.
    expect(c).toMatchObject({
      status: 'failed',
      error: { code: 'CANCELLED', message: 'gone', step: 'cancelled' },
    });
  });

  it('never retries a missing handler: ACTION_NOT_FOUND', async () => {
    const { clock, orch } = await setup();
    const events = collectEvents(orch, ['step.started']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'ghost', action: 'not_registered', retry: { maxAttempts: 5 } },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'ACTION_NOT_FOUND', step: 'ghost' });
    expect(status.error?.message).toContain('not_registered');
    expect(status.steps[0]?.attempts).toBe(1);
    expect(events.of('step.started')).toHaveLength(1);
  });

  it('names the registered action a missing one most likely meant', async () => {
    const { clock, orch } = await setup();
    orch.workflowEngine.registerAction('send_email', () => 'sent');
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'mail', action: 'send_emial' }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.error).toMatchObject({
      code: 'ACTION_NOT_FOUND',
      step: 'mail',
      message: "No handler is registered for action 'send_emial' (did you mean 'send_email'?)",
    });
  });

  it('does not retry errors listed in nonRetryable, by name or by code; others are retried', async () => {
    const { clock, orch } = await setup();
    class ValidationProblem extends Error {
      override name = 'ValidationProblem';
    }
    const byName = flaky(clock, Number.POSITIVE_INFINITY, () => new ValidationProblem('bad input'));
    const byCode = flaky(clock, Number.POSITIVE_INFINITY, () =>
      Object.assign(new Error('gone'), { code: 'E_GONE' }),
    );
    const other = flaky(clock, 1, () => Object.assign(new Error('busy'), { code: 'E_BUSY' }));
    orch.workflowEngine.registerAction('byName', byName.handler);
    orch.workflowEngine.registerAction('byCode', byCode.handler);
    orch.workflowEngine.registerAction('other', other.handler);
    const retry = { maxAttempts: 3, nonRetryable: ['ValidationProblem', 'E_GONE'] };
    await orch.workflowEngine.defineWorkflow('n', [{ name: 'byName', retry }]);
    await orch.workflowEngine.defineWorkflow('c', [{ name: 'byCode', retry }]);
    await orch.workflowEngine.defineWorkflow('o', [{ name: 'other', retry }]);
    const n = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('n'));
    const c = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('c'));
    const o = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('o'));
    expect(byName.times).toHaveLength(1);
    expect(byCode.times).toHaveLength(1);
    expect(n.status).toBe('failed');
    expect(c.error).toMatchObject({ code: 'E_GONE', message: 'gone' });
    expect(other.times).toHaveLength(2);
    expect(o.status).toBe('completed');
  });

  it('does not retry an error whose class is listed in nonRetryable, even when the class sets no name', async () => {
    const { clock, orch } = await setup();
    class ValidationError extends Error {}
    const f = flaky(clock, Number.POSITIVE_INFINITY, () => new ValidationError('bad input'));
    orch.workflowEngine.registerAction('validate', f.handler);
    await orch.workflowEngine.defineWorkflow('v', [
      { name: 'validate', retry: { maxAttempts: 5, nonRetryable: ['ValidationError'] } },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('v'));
    expect(status.status).toBe('failed');
    expect(f.times).toHaveLength(1);
  });

  it("uses the handler error's own string code, else STEP_FAILED", async () => {
    const { clock, orch } = await setup();
    orch.workflowEngine.registerAction('coded', () => {
      throw Object.assign(new Error('card declined'), { code: 'PAYMENT_DECLINED' });
    });
    orch.workflowEngine.registerAction('numeric', () => {
      throw Object.assign(new Error('errno'), { code: 42 });
    });
    orch.workflowEngine.registerAction('plain', () => {
      throw new TypeError('undefined is not a function');
    });
    orch.workflowEngine.registerAction('rejects', () => Promise.reject(new Error('async failure')));
    orch.workflowEngine.registerAction('string', () => {
      throw 'a thrown string';
    });
    orch.workflowEngine.registerAction('object', () => {
      throw { code: 'OUT_OF_STOCK', message: 'no stock left', sku: 'A-1' };
    });
    orch.workflowEngine.registerAction('hostile', () => {
      const thrown = Object.create(null) as Record<string, unknown>;
      Object.defineProperty(thrown, 'detail', {
        enumerable: true,
        get() {
          throw new Error('unreadable');
        },
      });
      throw thrown;
    });
    orch.workflowEngine.registerAction('trap', () => {
      const refuse = () => {
        throw new Error('trap');
      };
      throw new Proxy({}, { get: refuse, has: refuse, getPrototypeOf: refuse, ownKeys: refuse });
    });
    // An Error whose message cannot be read (a getter that throws): its name, else a message that says so.
    class Unreadable extends Error {
      override get message(): string {
        throw new Error('no message');
      }
    }
    orch.workflowEngine.registerAction('unreadable', () => {
      throw new Unreadable();
    });
    orch.workflowEngine.registerAction('nameless', () => {
      const thrown = new Unreadable();
      Object.defineProperty(thrown, 'name', {
        get() {
          throw new Error('no name');
        },
      });
      throw thrown;
    });
    const results: Record<string, unknown> = {};
    const names = ['coded', 'numeric', 'plain', 'rejects', 'string', 'object', 'hostile', 'trap'];
    for (const name of [...names, 'unreadable', 'nameless']) {
      await orch.workflowEngine.defineWorkflow(`w_${name}`, [{ name }]);
      const status = await finishWithClock(
        orch,
        clock,
        await orch.workflowEngine.executeWorkflow(`w_${name}`),
      );
      results[name] = status.error;
      expect(status.steps[0]?.error).toEqual(status.error);
    }
    expect(results).toEqual({
      coded: { code: 'PAYMENT_DECLINED', message: 'card declined', step: 'coded' },
      numeric: { code: 'STEP_FAILED', message: 'errno', step: 'numeric' },
      plain: { code: 'STEP_FAILED', message: 'undefined is not a function', step: 'plain' },
      rejects: { code: 'STEP_FAILED', message: 'async failure', step: 'rejects' },
      string: { code: 'STEP_FAILED', message: 'a thrown string', step: 'string' },
      // A plain object with a message: its message, not the whole object as JSON.
      object: { code: 'OUT_OF_STOCK', message: 'no stock left', step: 'object' },
      // Neither JSON nor String() can describe it: the step still fails, with a message that says so.
      hostile: { code: 'STEP_FAILED', message: 'a thrown value that cannot be described', step: 'hostile' },
      trap: { code: 'STEP_FAILED', message: 'a thrown value that cannot be described', step: 'trap' },
      unreadable: { code: 'STEP_FAILED', message: 'Error', step: 'unreadable' },
      nameless: { code: 'STEP_FAILED', message: 'a thrown value that cannot be described', step: 'nameless' },
    });
  });

  it('keeps the idempotency key stable across attempts and passes the attempt number', async () => {
    const { clock, orch } = await setup();
    const seen: { attempt: number; key: string }[] = [];
    orch.workflowEngine.registerAction('call', (_i, ctx) => {
      seen.push({ attempt: ctx.attempt, key: ctx.idempotencyKey });
      if (ctx.attempt < 3) throw new Error('again');
      return 'ok';
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'call', retry: true }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.status).toBe('completed');
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(new Set(seen.map((s) => s.key)).size).toBe(1);
  });

  it('shows a step waiting for its retry as `waiting` with nextAttemptAt', async () => {
    const { clock, orch } = await setup();
    const f = flaky(clock, 1);
    orch.workflowEngine.registerAction('call', f.handler);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'call', retry: true }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(500);
    const mid = await orch.workflowEngine.getExecutionStatus(id);
    expect(mid?.status).toBe('running');
    expect(mid?.steps[0]).toMatchObject({ status: 'waiting', attempts: 1 });
    expect(mid?.steps[0]?.nextAttemptAt?.getTime()).toBe((f.times[0] as number) + 1000);
    expect(mid?.steps[0]?.error?.message).toBe('transient');
    const status = await finishWithClock(orch, clock, id);
    expect(status.steps[0]).toMatchObject({ status: 'completed', attempts: 2 });
  });
});
