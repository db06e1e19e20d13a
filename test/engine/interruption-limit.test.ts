/**
 * `maxStepInterruptions`: a step run cut short that many times by its process stopping (here a
 * crash simulated in-process: the node's store refuses every call from then on, so nothing more is
 * written and no lease is released, and the next node takes over when the lease ends) fails with
 * INTERRUPTION_LIMIT instead of running again; 0 means no limit; a clean shutdown (`close`), a
 * re-run after a failed write, built-in actions and remote workers' actions are not counted. The
 * crash loop with real processes and SIGKILL is test/recovery/crash-loop.test.ts.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { interruptionLimitError } from '../../src/engine/step-records.js';
import { type Orchestrator, type OrchestratorOptions, RemoteWorkerHub } from '../../src/index.js';
import {
  gate,
  silentLogger,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** Short leases, so the next node takes a crashed node's executions over within a second. */
const FAST = { sweepInterval: 0.1, leaseSeconds: 0.4, logger: silentLogger } as const;

/** An orchestrator on `store` with FAST leases. */
const open = (store: string, options: OrchestratorOptions = {}) =>
  withOrchestrator({ store, ...FAST, ...options });

/**
 * Stops `orch` as a crash would: its store refuses every call from now on (nothing more is
 * written, no lease released), then it closes.
 */
async function crash(orch: Orchestrator): Promise<void> {
  const store = orch.store as unknown as Record<string, unknown>;
  const dead = () => Promise.reject(new Error('the process died'));
  const poisoned: string[] = [];
  for (
    let proto = Object.getPrototypeOf(store);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const [key, desc] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (key === 'constructor' || typeof desc.value !== 'function' || poisoned.includes(key)) continue;
      store[key] = dead;
      poisoned.push(key);
    }
  }
  // The store's own close() still lets its file go: it gets its methods back only then, whatever
  // private ones it calls.
  store.close = () => {
    for (const key of poisoned) delete store[key];
    return (store.close as () => Promise<void>)();
  };
  await orch.close();
}

/** Waits until the store holds the execution's first step running its `attempt`-th attempt (or a later one). */
async function storedRunning(orch: Orchestrator, id: string, attempt = 1): Promise<void> {
  await vi.waitFor(async () => {
    const step = (await orch.store.getExecution(id))?.steps[0];
    expect(step?.status).toBe('running');
    expect(step?.attempts).toBeGreaterThanOrEqual(attempt);
  });
}

/** A node whose step `hang` runs until the node stops; `calls` counts its runs. */
async function node(store: string, options: OrchestratorOptions, calls: { n: number }, started = gate()) {
  const orch = await open(store, {
    ...options,
    actions: {
      hang: async (_input, ctx) => {
        calls.n++;
        started.open();
        await new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        );
      },
    },
  });
  return { orch, started };
}

describe('maxStepInterruptions', () => {
  it('fails a step cut short that many times by crashes, without running it again', async () => {
    const store = tempSqliteUrl();
    const calls = { n: 0 };
    let current = await node(store, { maxStepInterruptions: 2 }, calls);
    await current.orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const id = await current.orch.workflowEngine.executeWorkflow('w');
    for (let i = 0; i < 2; i++) {
      await current.started.promise;
      await storedRunning(current.orch, id);
      await crash(current.orch);
      current = await node(store, { maxStepInterruptions: 2 }, calls);
    }
    const status = await current.orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(calls.n).toBe(2);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'INTERRUPTION_LIMIT', step: 'hang' });
    const step = status.steps[0]!;
    expect((step.history ?? []).map((a) => a.error?.code)).toEqual([
      'INTERRUPTED',
      'INTERRUPTED',
      'INTERRUPTION_LIMIT',
    ]);
  });

  it('does not count a clean shutdown: close() stopping a running step', async () => {
    const store = tempSqliteUrl();
    const calls = { n: 0 };
    let current = await node(store, { maxStepInterruptions: 1 }, calls);
    await current.orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const id = await current.orch.workflowEngine.executeWorkflow('w');
    for (let i = 0; i < 3; i++) {
      await current.started.promise;
      await current.orch.close();
      current = await node(store, { maxStepInterruptions: 1 }, calls);
    }
    await current.started.promise;
    expect(calls.n).toBe(4);
    const step = (await current.orch.workflowEngine.getExecutionStatus(id))?.steps[0];
    expect(step?.status).toBe('running');
    expect((step?.history ?? []).filter((a) => a.error?.code === 'INTERRUPTED')).toHaveLength(3);
    // A crash after those shutdowns is the first one counted: with a limit of 1 the step then fails.
    await storedRunning(current.orch, id);
    await crash(current.orch);
    const last = await node(store, { maxStepInterruptions: 1 }, calls);
    const status = await last.orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.error).toMatchObject({ code: 'INTERRUPTION_LIMIT', step: 'hang' });
    expect(calls.n).toBe(4);
  });

  it('uses none of the retry budget: a step crashed under the limit still gets its retries', async () => {
    const store = tempSqliteUrl();
    let runs = 0;
    const started = { gate: gate() };
    // Runs 1 and 2 hang until a crash; run 3 fails (retryable); run 4 completes.
    const options = (): OrchestratorOptions => ({
      maxStepInterruptions: 3,
      actions: {
        flaky: async (_input, ctx) => {
          runs++;
          started.gate.open();
          if (runs <= 2) await untilAborted(ctx.signal);
          if (runs === 3) throw new Error('flaky');
          return { runs };
        },
      },
    });
    let orch = await open(store, options());
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'flaky', retry: { maxAttempts: 1, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    for (let i = 1; i <= 2; i++) {
      await started.gate.promise;
      started.gate = gate();
      await storedRunning(orch, id, i);
      await crash(orch);
      orch = await open(store, options());
    }
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(runs).toBe(4);
    expect((status.steps[0]!.history ?? []).map((a) => a.error?.code ?? 'ok')).toEqual([
      'INTERRUPTED',
      'INTERRUPTED',
      'STEP_FAILED',
      'ok',
    ]);
  });

  it('with 0, runs a step again however often it was cut short', async () => {
    const store = tempSqliteUrl();
    const calls = { n: 0 };
    let current = await node(store, { maxStepInterruptions: 0 }, calls);
    await current.orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const id = await current.orch.workflowEngine.executeWorkflow('w');
    for (let i = 0; i < 3; i++) {
      await current.started.promise;
      await storedRunning(current.orch, id);
      await crash(current.orch);
      current = await node(store, { maxStepInterruptions: 0 }, calls);
    }
    await current.started.promise;
    expect(calls.n).toBe(4);
    expect((await current.orch.workflowEngine.getExecutionStatus(id))?.status).toBe('running');
  });

  it('does not limit the built-in delay, which waits across restarts', async () => {
    const store = tempSqliteUrl();
    // Each node says when it runs the execution (the first: started; the next: taken over).
    const openRunning = async () => {
      const running = gate();
      const orch = await open(store, {
        maxStepInterruptions: 1,
        on: { 'execution.started': () => running.open() },
      });
      return { orch, running: running.promise };
    };
    let { orch, running } = await openRunning();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'wait', action: 'delay', input: "{'seconds': 1.5}" },
      { name: 'done', action: 'noop' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    for (let i = 0; i < 2; i++) {
      await running;
      await storedRunning(orch, id);
      await crash(orch);
      ({ orch, running } = await openRunning());
    }
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    // Its wait is no run a crash cuts short (test/engine/delay-restart.test.ts): the same attempt
    // goes on each time, with no interruption to count.
    expect(status.steps[0]).toMatchObject({ attempts: 1 });
    expect((status.steps[0]!.history ?? []).filter((a) => a.error?.code === 'INTERRUPTED')).toHaveLength(0);
  });

  it('names the step, the count and the limit; 0 and counts under the limit give no error', () => {
    expect(interruptionLimitError("Step 'x'", 3, 3)?.message).toBe(
      "Step 'x' was cut short 3 times by its process stopping while it ran (maxStepInterruptions: 3); it is not run again",
    );
    expect(interruptionLimitError("Step 'x'", 2, 3)).toBeNull();
    expect(interruptionLimitError("Step 'x'", 1000, 0)).toBeNull();
  });
});

describe('maxStepInterruptions and store failures', () => {
  it('does not count a step run again after a failed write on the same node as an interruption', async () => {
    // The process never stops: the completion write of `a` fails twice, the node gives the
    // execution up and takes it up again each time, and `a` runs again. Not interrupted by a
    // process stopping: the limit (1) is not reached, the execution completes.
    let failures = 2;
    let runs = 0;
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      maxStepInterruptions: 1,
      sweepInterval: 0.05,
      leaseSeconds: 1,
      logger: silentLogger,
      actions: {
        a: () => {
          runs++;
          return 'ok';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b', action: 'a' }]);
    const update = orch.store.update.bind(orch.store);
    vi.spyOn(orch.store, 'update').mockImplementation((u) => {
      if (failures === 0 || !u.steps?.some((s) => s.name === 'a' && s.status === 'completed'))
        return update(u);
      failures--;
      return Promise.reject(new Error('connection lost'));
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(failures).toBe(0);
    expect(runs).toBe(4);
    expect(status.status).toBe('completed');
    expect(status.error).toBeUndefined();
  });
});

describe('maxStepInterruptions and remote workers', () => {
  it('does not count a crash of the node while a remote step waits: the work runs in the worker (docs/remote-workers.md)', async () => {
    const store = tempSqliteUrl();
    const hub = () => new RemoteWorkerHub().actions(['stt']);
    let orch = await open(store, { maxStepInterruptions: 1, actions: hub() });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'stt' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    for (let i = 0; i < 2; i++) {
      await storedRunning(orch, id, i + 1);
      await crash(orch);
      orch = await open(store, { maxStepInterruptions: 1, actions: hub() });
    }
    await storedRunning(orch, id, 3);
    const status = await orch.workflowEngine.getExecutionStatus(id);
    expect(status?.status).toBe('running');
    expect((status?.steps[0]?.history ?? []).filter((a) => a.error?.code === 'INTERRUPTED')).toHaveLength(2);
  });
});

describe('maxStepInterruptions and the built-in http action', () => {
  it('does not limit it: it cannot take its process down (README, Guarantees)', async () => {
    // Requests hang until the third, which is answered.
    let requests = 0;
    const hanging: ServerResponse[] = [];
    const server = createServer((_req, res) => {
      requests++;
      if (requests < 3) hanging.push(res);
      else res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          for (const res of hanging) res.destroy();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    const store = tempSqliteUrl();
    const options = { maxStepInterruptions: 1, httpAllowlist: ['127.0.0.1'] };
    let orch = await open(store, options);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'call', action: 'http', input: `{'url': 'http://127.0.0.1:${port}/', 'timeout': 30}` },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    for (let i = 1; i <= 2; i++) {
      await vi.waitFor(() => expect(requests).toBe(i));
      await storedRunning(orch, id, i);
      await crash(orch);
      orch = await open(store, options);
    }
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(requests).toBe(3);
  });
});

describe('maxStepInterruptions and compensations', () => {
  it('does not count a clean shutdown during a compensation; counts crashes', async () => {
    const store = tempSqliteUrl();
    let runs = 0;
    const options = (): OrchestratorOptions => ({
      maxStepInterruptions: 1,
      actions: { book: () => ({ booked: true }), fail: () => Promise.reject(new Error('declined')) },
      compensations: {
        unbook: async (_output, ctx) => {
          runs++;
          await new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
          );
        },
      },
    });
    const compensationRunning = async (orch: Orchestrator, id: string, attempts: number) =>
      vi.waitFor(async () => {
        const c = (await orch.store.getExecution(id))?.steps.find((s) => s.name === 'book')?.compensation;
        expect(c?.status).toBe('running');
        expect(c?.attempts).toBeGreaterThanOrEqual(attempts);
      });
    let orch = await open(store, options());
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'book', compensation: 'unbook' },
      { name: 'fail' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    for (let i = 1; i <= 2; i++) {
      await compensationRunning(orch, id, i);
      await orch.close();
      orch = await open(store, options());
    }
    await compensationRunning(orch, id, 3);
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('compensating');
    // The first crash is counted: with a limit of 1 the compensation then fails.
    await crash(orch);
    orch = await open(store, options());
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(runs).toBe(3);
    expect(status.status).toBe('failed');
    const book = status.steps.find((s) => s.name === 'book');
    expect(book?.compensation).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTION_LIMIT' } });
  });
});
