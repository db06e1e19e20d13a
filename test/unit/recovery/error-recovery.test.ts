import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { ErrorRecovery } from '../../../src/recovery/error-recovery.js';
import type { CompensationHandler, StepContext } from '../../../src/types.js';

function recording() {
  const waits: number[] = [];
  const recovery = new ErrorRecovery({
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { recovery, waits };
}

describe('ErrorRecovery retries', () => {
  it('waits 1 s, 2 s, 4 s, then refuses the fourth retry at once', async () => {
    const { recovery, waits } = recording();
    expect(await recovery.retryStep('api_call')).toBe(true);
    expect(await recovery.retryStep('api_call')).toBe(true);
    expect(await recovery.retryStep('api_call')).toBe(true);
    expect(await recovery.retryStep('api_call')).toBe(false);
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(recovery.getAttempts('api_call')).toBe(3);
  });

  it('sleeps whole milliseconds when the delay in seconds is not a whole number of them', async () => {
    const waits: number[] = [];
    const recovery = new ErrorRecovery({
      baseDelay: 1.1,
      multiplier: 1.5,
      maxDelay: 60,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    for (let i = 0; i < 3; i++) await recovery.retryStep('s');
    // 1.1 × 1.5 s × 1000 is 1650.0000000000002 ms in floating point.
    expect(waits).toEqual([1100, 1650, 2475]);
  });

  it('honours maxAttempts and counts steps separately', async () => {
    const { recovery, waits } = recording();
    expect(await recovery.retryStep('a', { maxAttempts: 1 })).toBe(true);
    expect(await recovery.retryStep('a', { maxAttempts: 1 })).toBe(false);
    expect(await recovery.retryStep('b', { maxAttempts: 0 })).toBe(false);
    expect(recovery.getAttempts('a')).toBe(1);
    expect(recovery.getAttempts('b')).toBe(0);
    expect(waits).toEqual([1000]);
  });

  it('starts over after resetAttempts', async () => {
    const { recovery, waits } = recording();
    await recovery.retryStep('s');
    await recovery.retryStep('s');
    recovery.resetAttempts('s');
    expect(recovery.getAttempts('s')).toBe(0);
    expect(await recovery.retryStep('s')).toBe(true);
    expect(waits).toEqual([1000, 2000, 1000]);
  });

  it('counts a retry before waiting, so concurrent callers cannot overrun the limit', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const recovery = new ErrorRecovery({ sleep: () => gate });
    const results = Promise.all([1, 2, 3, 4, 5].map(() => recovery.retryStep('s', { maxAttempts: 2 })));
    release();
    expect(await results).toEqual([true, true, false, false, false]);
  });

  it('computes backoff delays in seconds: 1, 2, 4, 5, 5 by default', () => {
    const recovery = new ErrorRecovery();
    expect([1, 2, 3, 4, 5].map((n) => recovery.getBackoffDelay(n))).toEqual([1, 2, 4, 5, 5]);
    expect(recovery.getBackoffDelay(1e9)).toBe(5);
    const custom = new ErrorRecovery({ baseDelay: 0.5, multiplier: 3, maxDelay: 10 });
    expect([1, 2, 3, 4].map((n) => custom.getBackoffDelay(n))).toEqual([0.5, 1.5, 4.5, 10]);
  });

  it('uses a real timer by default (zero delay here, so nothing waits)', async () => {
    const recovery = new ErrorRecovery({ baseDelay: 0 });
    expect(await recovery.retryStep('s')).toBe(true);
    expect(recovery.getAttempts('s')).toBe(1);
  });

  it('rejects bad options and a bad maxAttempts', async () => {
    expect(() => new ErrorRecovery({ baseDelay: -1 })).toThrow(ValidationError);
    expect(() => new ErrorRecovery({ multiplier: 0.5 })).toThrow(/multiplier/);
    expect(() => new ErrorRecovery({ maxDelay: Number.NaN })).toThrow(/maxDelay/);
    const { recovery } = recording();
    await expect(recovery.retryStep('s', { maxAttempts: -1 })).rejects.toThrow(ValidationError);
    await expect(recovery.retryStep('s', { maxAttempts: 1.5 })).rejects.toThrow(/maxAttempts/);
  });
});

describe('ErrorRecovery compensation', () => {
  it('runs handlers in reverse completion order with a minimal context', async () => {
    const { recovery } = recording();
    const calls: { step: string; output: unknown; ctx: StepContext }[] = [];
    for (const step of ['a', 'b', 'c']) {
      recovery.registerCompensation(step, (output, ctx) => {
        calls.push({ step, output, ctx });
      });
    }
    const result = await recovery.compensate('d', ['a', 'b', 'c']);
    expect(result).toEqual({ compensated: ['c', 'b', 'a'], skipped: [], failed: [] });
    expect(calls.map((c) => c.step)).toEqual(['c', 'b', 'a']);
    const first = calls[0]!;
    expect(first.output).toBeUndefined();
    expect(first.ctx).toMatchObject({
      stepName: 'c',
      attempt: 1,
      executionId: '',
      workflowId: '',
      outputs: {},
    });
    expect(first.ctx.signal.aborted).toBe(false);
    // compensate:<call>:<failedStep>:<step>, one call id for all the call's handlers.
    const [key] = calls.map((c) => c.ctx.idempotencyKey);
    expect(key).toMatch(/^compensate:[0-9a-f-]{36}:d:c$/);
    const call = key!.split(':')[1];
    expect(calls.map((c) => c.ctx.idempotencyKey)).toEqual([
      `compensate:${call}:d:c`,
      `compensate:${call}:d:b`,
      `compensate:${call}:d:a`,
    ]);
  });

  it('gives each call its own idempotency keys: a second saga of the same steps is not a replay of the first', async () => {
    const { recovery } = recording();
    const keys: string[] = [];
    recovery.registerCompensation('charge_payment', (_output, ctx) => {
      keys.push(ctx.idempotencyKey);
    });
    await recovery.compensate('ship_order', ['charge_payment']);
    await recovery.compensate('ship_order', ['charge_payment']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it("gives handlers a context with every key of a step's, deadline included (StepContext: the key is always there)", async () => {
    const { recovery } = recording();
    let seen: StepContext | undefined;
    recovery.registerCompensation('a', (_output, ctx) => {
      seen = ctx;
    });
    await recovery.compensate('b', ['a']);
    // No time limit: undefined, as for a step without a timeout, but the key is there.
    expect(Object.keys(seen!)).toContain('deadline');
    expect(seen!.deadline).toBeUndefined();
  });

  it('does not keep the abort listeners a handler left on its ctx.signal from one call to the next', async () => {
    const { recovery } = recording();
    const counts: number[] = [];
    recovery.registerCompensation('a', (_output, ctx) => {
      ctx.signal.addEventListener('abort', () => undefined); // never removed
      counts.push(getEventListeners(ctx.signal, 'abort').length);
    });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 15; i++) await recovery.compensate('b', ['a']);
      // Node emits the warning on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(counts).toEqual(new Array(15).fill(1));
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('skips steps without a handler and awaits async handlers one at a time', async () => {
    const { recovery } = recording();
    const log: string[] = [];
    const slow: CompensationHandler = async () => {
      log.push('start database_write');
      await Promise.resolve();
      log.push('end database_write');
    };
    recovery.registerCompensation('database_write', slow);
    recovery.registerCompensation('api_call', () => {
      log.push('api_call');
    });
    const result = await recovery.compensate('failed_step', ['database_write', 'validate', 'api_call']);
    expect(result).toEqual({
      compensated: ['api_call', 'database_write'],
      skipped: ['validate'],
      failed: [],
    });
    expect(log).toEqual(['api_call', 'start database_write', 'end database_write']);
  });

  it('carries on past handlers that throw or reject, and reports them', async () => {
    const { recovery } = recording();
    recovery.registerCompensation('a', () => {});
    recovery.registerCompensation('b', () => {
      throw new Error('sync failure');
    });
    recovery.registerCompensation('c', async () => {
      throw 'not an error';
    });
    const result = await recovery.compensate('d', ['a', 'b', 'c']);
    expect(result.compensated).toEqual(['a']);
    expect(result.skipped).toEqual([]);
    expect(result.failed.map((f) => f.step)).toEqual(['c', 'b']);
    expect(result.failed[0]!.error).toBeInstanceOf(Error);
    expect(result.failed[0]!.error.message).toContain('not an error');
    expect(result.failed[1]!.error.message).toBe('sync failure');
  });

  it("does not run the failed step's own handler: it did not complete", async () => {
    const { recovery } = recording();
    const ran: string[] = [];
    recovery.registerCompensation('a', () => ran.push('a'));
    recovery.registerCompensation('charge', () => ran.push('charge'));
    const result = await recovery.compensate('charge', ['a']);
    expect(ran).toEqual(['a']);
    expect(result).toEqual({ compensated: ['a'], skipped: [], failed: [] });
  });

  it('returns empty lists when nothing completed', async () => {
    const { recovery } = recording();
    expect(await recovery.compensate('first', [])).toEqual({ compensated: [], skipped: [], failed: [] });
  });

  it('rejects bad registrations, naming the argument', () => {
    const { recovery } = recording();
    expect(() => recovery.registerCompensation('', () => {})).toThrow(
      /^Invalid compensation registration: name: The compensation name must not be empty/,
    );
    expect(() => recovery.registerCompensation(42 as unknown as string, () => {})).toThrow(ValidationError);
    expect(() => recovery.registerCompensation('x', 'nope' as unknown as CompensationHandler)).toThrow(
      /^Invalid compensation registration: handler: Expected the handler of compensation 'x' to be a function/,
    );
    try {
      recovery.registerCompensation('', null as unknown as CompensationHandler);
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['name', 'handler']);
    }
    expect(recovery.listCompensations()).toEqual([]);
  });

  it('refuses a name no definition could give as a compensation, saying why', () => {
    const { recovery } = recording();
    const refused = (name: string): string => {
      try {
        recovery.registerCompensation(name, () => {});
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['name']);
        return (error as ValidationError).issues[0]!.message;
      }
      return expect.unreachable();
    };
    expect(refused('')).toMatch(/must not be empty/);
    expect(refused('x'.repeat(129))).toMatch(/at most 128 characters, got 129/);
    expect(refused('undo order')).toMatch(/only ASCII letters, digits, '_', '.' and '-', got "undo order"/);
    expect(refused('refund/charge')).toMatch(/only ASCII letters/);
    expect(refused('__proto__')).toMatch(/reserved/);
    expect(recovery.listCompensations()).toEqual([]);
    // The longest a definition takes, and every character it allows, are registered.
    recovery.registerCompensation('x'.repeat(128), () => {});
    recovery.registerCompensation('Undo_order-2.v1', () => {});
    expect(recovery.listCompensations()).toEqual(['x'.repeat(128), 'Undo_order-2.v1']);
  });

  it('exposes the registry to the engine; a later registration replaces the earlier', () => {
    const { recovery } = recording();
    const first: CompensationHandler = () => 1;
    const second: CompensationHandler = () => 2;
    recovery.registerCompensation('undo', first);
    recovery.registerCompensation('other', first);
    recovery.registerCompensation('undo', second);
    expect(recovery.getCompensation('undo')).toBe(second);
    expect(recovery.hasCompensation('other')).toBe(true);
    expect(recovery.hasCompensation('missing')).toBe(false);
    expect(recovery.getCompensation('missing')).toBeUndefined();
    expect(recovery.listCompensations()).toEqual(['undo', 'other']);
  });
});

describe('ErrorRecovery: bad arguments', () => {
  it('refuses a step name that is not a non-empty string, and a list that is not an array of them', async () => {
    const recovery = new ErrorRecovery({ sleep: async () => undefined });
    await expect(recovery.retryStep(42 as never)).rejects.toMatchObject({
      issues: [{ path: 'stepName' }],
    });
    await expect(recovery.retryStep('')).rejects.toBeInstanceOf(ValidationError);
    await expect(recovery.compensate('x', 'abc' as never)).rejects.toMatchObject({
      issues: [{ path: 'completedSteps' }],
    });
    await expect(recovery.compensate('x', ['a', 7] as never)).rejects.toMatchObject({
      issues: [{ path: 'completedSteps[1]' }],
    });
    await expect(recovery.compensate(undefined as never, [])).rejects.toMatchObject({
      issues: [{ path: 'failedStep' }],
    });
  });
});

describe('ErrorRecovery: backoff longer than Node timers allow', () => {
  it('waits a 30-day backoff instead of going on after 1 ms (Node clamps delays over 2^31 ms)', async () => {
    const days30 = 30 * 86_400;
    const recovery = new ErrorRecovery({ baseDelay: days30, maxDelay: days30 });
    const first = await Promise.race([
      recovery.retryStep('s').then(() => 'retry resolved'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300)),
    ]);
    expect(first).toBe('still waiting');
  });
});
