/**
 * Behaviour at the edges of the engine's contract: idempotency keys shared by two workflows,
 * handler outputs that no store can keep, and calls after `close()`.
 */
import { describe, expect, it } from 'vitest';
import { ClosedError, ConflictError, ValidationError } from '../../src/index.js';
import { STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('engine boundaries (%s store)', (kind) => {
  it('refuses an idempotency key already used by another workflow with a ConflictError', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1, b: () => 2 } });
    await orch.workflowEngine.defineWorkflow('first', [{ name: 'a' }]);
    await orch.workflowEngine.defineWorkflow('second', [{ name: 'b' }]);
    const id = await orch.workflowEngine.executeWorkflow('first', {}, { idempotencyKey: 'k-1' });
    await expect(
      orch.workflowEngine.executeWorkflow('second', {}, { idempotencyKey: 'k-1' }),
    ).rejects.toThrow(ConflictError);
    expect(await orch.workflowEngine.executeWorkflow('first', {}, { idempotencyKey: 'k-1' })).toBe(id);
    expect(await orch.workflowEngine.listExecutions({ workflowId: 'second' })).toHaveLength(0);
  });

  it('fails a step whose output cannot even be read (a throwing getter, a hostile proxy) with INVALID_OUTPUT', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        getter: () => ({
          ok: true,
          nested: {
            get secret(): string {
              throw new Error('no access');
            },
          },
        }),
        proxy: () =>
          new Proxy(
            {},
            {
              ownKeys() {
                throw Object.create(null);
              },
            },
          ),
        next: () => 'ran',
      },
    });
    await orch.workflowEngine.defineWorkflow('g', [{ name: 'getter' }, { name: 'next' }]);
    await orch.workflowEngine.defineWorkflow('p', [{ name: 'proxy' }]);
    const getter = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('g'),
      {
        timeout: 5,
      },
    );
    expect(getter.status).toBe('failed');
    expect(getter.error).toMatchObject({ code: 'INVALID_OUTPUT', step: 'getter' });
    expect(getter.error?.message).toContain('output.nested.secret: could not be read (no access)');
    expect(getter.outputData).toEqual({});
    const proxy = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('p'),
      {
        timeout: 5,
      },
    );
    expect(proxy.error).toMatchObject({ code: 'INVALID_OUTPUT', step: 'proxy' });
    expect(proxy.error?.message).toContain('output: could not be read');
  });

  it('refuses workflow input that cannot be read with a ValidationError naming where', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1 } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const input = {
      user: {
        get email(): string {
          throw new Error('revoked');
        },
      },
    };
    const refused = orch.workflowEngine.executeWorkflow('w', input);
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(refused).rejects.toThrow(/inputData\.user\.email: could not be read \(revoked\)/);
    expect(await orch.workflowEngine.listExecutions({ workflowId: 'w' })).toHaveLength(0);
  });

  it('fails a step whose output cannot be stored with INVALID_OUTPUT, without retrying, and compensates', async () => {
    const undone: unknown[] = [];
    let runs = 0;
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve: () => ({ reservation: 7 }),
        cyclic: () => {
          runs++;
          const o: Record<string, unknown> = {};
          o.self = o;
          return o;
        },
        big: () => 10n,
      },
      compensations: { release: (out) => undone.push(out) },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'cyclic', retry: { maxAttempts: 3, initialDelay: 0.001 } },
    ]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'INVALID_OUTPUT', step: 'cyclic' });
    expect(status.error?.message).toContain('output.self: contains a circular reference');
    expect(runs).toBe(1);
    expect(undone).toEqual([{ reservation: 7 }]);
    expect(status.compensatedSteps).toEqual(['reserve']);

    await orch.workflowEngine.defineWorkflow('b', [{ name: 'big' }]);
    const bigint = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('b'),
    );
    expect(bigint.error).toMatchObject({ code: 'INVALID_OUTPUT', step: 'big' });
  });

  it('refuses a listing filter it cannot apply with a ValidationError naming it', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1 } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    await orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('w'));
    for (const workflowId of ['', 42, null]) {
      const error = await orch.workflowEngine
        .listExecutions({ workflowId } as unknown as { workflowId: string })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toBe('workflowId');
    }
    const notAnObject = await orch.workflowEngine
      .listExecutions('w' as unknown as { workflowId: string })
      .catch((e: unknown) => e);
    expect(notAnObject).toBeInstanceOf(ValidationError);
    expect(await orch.workflowEngine.listExecutions({ workflowId: 'w' })).toHaveLength(1);
  });

  it('refuses a listing offset past 2^53 - 1 with a ValidationError, not a store failure', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1 } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    await orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('w'));
    for (const offset of [2 ** 53, 1e300]) {
      const error = await orch.workflowEngine.listExecutions({ offset }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({
        path: 'offset',
        message: expect.stringContaining('at most 9007199254740991'),
      });
    }
    expect(await orch.workflowEngine.listExecutions({ offset: Number.MAX_SAFE_INTEGER })).toEqual([]);
  });

  it('refuses options that are not an object instead of ignoring them', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1 } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const engine = orch.workflowEngine;
    // An idempotency key passed bare would otherwise start a second execution unnoticed.
    const bare = await engine
      .executeWorkflow('w', {}, 'order-42' as unknown as { idempotencyKey: string })
      .catch((e: unknown) => e);
    expect(bare).toBeInstanceOf(ValidationError);
    expect((bare as ValidationError).issues[0]?.path).toBe('options');
    expect(await engine.listExecutions()).toEqual([]);
    const id = await engine.executeWorkflow('w');
    const wait = await engine
      .waitForCompletion(id, null as unknown as { timeout: number })
      .catch((e: unknown) => e);
    expect(wait).toBeInstanceOf(ValidationError);
    expect((wait as ValidationError).issues[0]?.path).toBe('options');
  });

  it('refuses a misspelt option or filter key, naming it, instead of ignoring it', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1 } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const engine = orch.workflowEngine;
    // Each refusal names the key that was meant beside the misspelt one.
    const refused = async (call: () => Promise<unknown>, path: string, meant: string) => {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { path, message: `unknown key '${path}' (did you mean '${meant}'?)` },
      ]);
    };
    // A misspelt idempotency key would otherwise start a second execution (a second charge) unnoticed.
    await refused(
      () => engine.executeWorkflow('w', {}, { idempotencyKy: 'order-42' } as never),
      'idempotencyKy',
      'idempotencyKey',
    );
    expect(await engine.listExecutions()).toEqual([]);
    const id = await engine.executeWorkflow('w', {}, { idempotencyKey: 'order-42' });
    await refused(() => engine.waitForCompletion(id, { timout: 5 } as never), 'timout', 'timeout');
    // A misspelt filter would otherwise list every execution.
    await refused(() => engine.listExecutions({ stauts: 'failed' } as never), 'stauts', 'status');
    await refused(() => engine.countExecutions({ workflow: 'w' } as never), 'workflow', 'workflowId');
    // Keys given as undefined are left out, as in the config.
    expect(
      await engine.executeWorkflow('w', {}, { idempotencyKey: 'order-42', extra: undefined } as never),
    ).toBe(id);
    expect(await engine.waitForCompletion(id, { timeout: 5 })).toMatchObject({ status: 'completed' });
  });

  it('refuses an execution id that is not a string (a forgotten await) instead of answering null or false', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1 } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const engine = orch.workflowEngine;
    const pending = engine.executeWorkflow('w'); // not awaited
    for (const call of [
      () => engine.getExecutionStatus(pending as never),
      () => engine.waitForCompletion(pending as never, { timeout: 1 }),
      () => engine.cancelWorkflow(pending as never),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { path: 'executionId', message: 'expected an execution id string, got a Promise (missing await?)' },
      ]);
    }
    const objectId = await engine.getExecutionStatus({ id: 'x' } as never).catch((e: unknown) => e);
    expect((objectId as ValidationError).issues?.[0]?.message).toBe(
      'expected an execution id string, got an object',
    );
    const arrayId = await engine.cancelWorkflow(['x'] as never).catch((e: unknown) => e);
    expect((arrayId as ValidationError).issues?.[0]?.message).toBe(
      'expected an execution id string, got an array',
    );
    // An unknown string id is still just unknown.
    expect(await engine.getExecutionStatus('exec_unknown')).toBeNull();
    expect(await engine.cancelWorkflow('exec_unknown')).toBe(false);
    await engine.waitForCompletion(await pending);
  });

  it('rejects reads and new work with ClosedError after close()', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 1 } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await orch.workflowEngine.waitForCompletion(id);
    await orch.close();
    await expect(orch.workflowEngine.getExecutionStatus(id)).rejects.toThrow(ClosedError);
    await expect(orch.workflowEngine.listExecutions()).rejects.toThrow(ClosedError);
    await expect(orch.workflowEngine.executeWorkflow('w')).rejects.toThrow(ClosedError);
    await expect(orch.workflowEngine.defineWorkflow('x', [{ name: 'a' }])).rejects.toThrow(ClosedError);
    // Like listExecutions on every store (the memory store used to go on counting, a durable
    // one failed with its own "The store is closed").
    await expect(orch.workflowEngine.countExecutions()).rejects.toThrow(ClosedError);
    // A definition known here is still answered; one that would need the store is refused.
    expect(await orch.workflowEngine.getWorkflow('w')).toMatchObject({ id: 'w', version: 1 });
    expect(await orch.workflowEngine.getWorkflow('w', 1)).toMatchObject({ id: 'w', version: 1 });
    await expect(orch.workflowEngine.getWorkflow('never_defined')).rejects.toThrow(ClosedError);
    await expect(orch.workflowEngine.getWorkflow('w', 2)).rejects.toThrow(ClosedError);
  });
});
