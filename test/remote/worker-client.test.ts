/**
 * The TypeScript remote worker (`createRemoteWorker`) against a real server: handler context,
 * outputs and errors (NonRetryableError → not retried, codes kept), cancellation and step
 * timeouts reaching the handler's signal through heartbeats, stop with and without grace,
 * re-registration after a 404, back-off while a node is down, several nodes, concurrency.
 */
import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  buildApp,
  ClosedError,
  ConflictError,
  createOrchestrator,
  createRemoteWorker,
  NonRetryableError,
  RemoteWorkerHub,
  type RemoteWorkerOptions,
  ValidationError,
} from '../../src/index.js';
import { gate } from '../helpers/orchestrator.js';
import { eventually, startServer, TOKEN } from './server.js';

function worker(options: Omit<RemoteWorkerOptions, 'token'> & { token?: string }) {
  const w = createRemoteWorker({ token: TOKEN, ...options });
  onTestFinished(() => w.stop());
  return w;
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

describe('createRemoteWorker', () => {
  it('runs the handler with the task context and completes the step with its output', async () => {
    const { url, orch } = await startServer();
    let seen: Record<string, unknown> = {};
    const w = worker({
      url,
      name: 'ctx',
      actions: {
        enrich: async (input, ctx) => {
          seen = { ...ctx, signal: ctx.signal instanceof AbortSignal };
          return { ...(input as object), enriched: true };
        },
      },
    });
    await w.start();
    expect(w.registrations).toEqual([{ url, workerId: expect.stringMatching(/^rw_/) }]);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'enrich', timeout: 10 }]);
    const id = await orch.workflowEngine.executeWorkflow('w', { a: 1 });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.outputData).toEqual({ enrich: { a: 1, enriched: true } });
    expect(seen).toMatchObject({
      taskId: expect.stringMatching(/^rt_/),
      action: 'enrich',
      executionId: id,
      workflowId: 'w',
      stepName: 'enrich',
      attempt: 1,
      idempotencyKey: `${id}:enrich`,
      signal: true,
    });
    expect(seen.deadline).toBeInstanceOf(Date);
    await eventually(() => w.running === 0, 'the slot to be free');
  });

  it('reports a NonRetryableError as not retryable, and keeps the codes of other errors for the retry policy', async () => {
    const { url, orch } = await startServer();
    const attempts: number[] = [];
    await worker({
      url,
      actions: {
        flaky: (_input, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) throw Object.assign(new Error('rate limited'), { code: 'RATE_LIMITED' });
          if (ctx.attempt === 2) throw new Error('plain');
          throw new NonRetryableError('give up', { code: 'GIVE_UP' });
        },
      },
    }).start();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'flaky', retry: { maxAttempts: 5, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(attempts).toEqual([1, 2, 3]);
    expect(status.error).toEqual({ code: 'GIVE_UP', message: 'give up', step: 'flaky' });
    expect(status.steps[0]?.history?.map((h) => h.error?.code)).toEqual([
      'RATE_LIMITED',
      'STEP_FAILED',
      'GIVE_UP',
    ]);
  });

  it('treats an error with `retryable: false` as not retryable, and refuses an output that is not JSON', async () => {
    const { url, orch } = await startServer();
    await worker({
      url,
      actions: {
        plain: () => {
          throw Object.assign(new Error('no'), { retryable: false });
        },
        bigint: () => ({ n: 10n }),
      },
    }).start();
    await orch.workflowEngine.defineWorkflow('p', [{ name: 'plain', retry: true }]);
    await orch.workflowEngine.defineWorkflow('b', [{ name: 'bigint', retry: true }]);
    const p = await orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('p'), {
      timeout: 10,
    });
    expect(p.error).toMatchObject({ code: 'NON_RETRYABLE', message: 'no' });
    expect(p.steps[0]?.attempts).toBe(1);
    const b = await orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('b'), {
      timeout: 10,
    });
    expect(b.error?.code).toBe('INVALID_OUTPUT');
    expect(b.steps[0]?.attempts).toBe(1);
  });

  it('reports a thrown null-prototype object as a failure and keeps serving (the slot did not die)', async () => {
    const { url, orch } = await startServer();
    await worker({
      url,
      actions: {
        odd: (_input, ctx) => {
          if (ctx.attempt === 1) throw Object.assign(Object.create(null), { code: 'ODD' });
          return 'second time';
        },
      },
    }).start();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'odd', retry: { maxAttempts: 2, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.steps[0]?.history?.map((h) => h.error?.code)).toEqual(['ODD', undefined]);
    expect(status.outputData).toEqual({ odd: 'second time' });
  });

  it('fails a task whose output JSON would change (a Map, a function) with INVALID_OUTPUT, as locally', async () => {
    const { url, orch } = await startServer();
    await worker({ url, actions: { map: () => new Map([['a', 1]]), fn: () => () => 1 } }).start();
    for (const action of ['map', 'fn']) {
      await orch.workflowEngine.defineWorkflow(action, [{ name: action, retry: true }]);
      const status = await orch.workflowEngine.waitForCompletion(
        await orch.workflowEngine.executeWorkflow(action),
        { timeout: 10 },
      );
      expect({
        action,
        status: status.status,
        code: status.error?.code,
        attempts: status.steps[0]?.attempts,
      }).toEqual({ action, status: 'failed', code: 'INVALID_OUTPUT', attempts: 1 });
    }
  });

  it('fails a task whose output throws while read (a getter) with INVALID_OUTPUT, and keeps serving', async () => {
    const { url, orch } = await startServer();
    await worker({
      url,
      actions: {
        getter: (input) =>
          (input as { ok?: boolean } | null)?.ok
            ? 'fine'
            : {
                get x() {
                  throw new Error('not readable');
                },
              },
      },
    }).start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'getter', retry: true }]);
    const bad = await orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('w'), {
      timeout: 10,
    });
    expect(bad.error).toMatchObject({
      code: 'INVALID_OUTPUT',
      message: expect.stringMatching(/not readable/),
    });
    expect(bad.steps[0]?.attempts).toBe(1);
    const good = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w', { ok: true }),
      { timeout: 10 },
    );
    expect(good.outputData).toEqual({ getter: 'fine' });
  });

  it('fails a task whose output is over the body limit with OUTPUT_TOO_LARGE, without retries', async () => {
    const { url, orch } = await startServer({ app: { bodyLimit: 2048 } });
    await worker({ url, actions: { big: () => ({ blob: 'x'.repeat(5000) }) } }).start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'big', retry: true }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.error?.code).toBe('OUTPUT_TOO_LARGE');
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it("fails a task whose output the node refuses (400) with INVALID_OUTPUT and the node's reason", async () => {
    const { url, orch, hub } = await startServer();
    // What the node refuses but the worker's own checks pass (a rule of a newer node, say).
    vi.spyOn(hub, 'complete').mockImplementationOnce(() => {
      throw new ValidationError(
        [{ path: 'output.mood', message: 'not a mood this node knows' }],
        'Invalid complete arguments',
      );
    });
    await worker({ url, actions: { judge: () => ({ mood: 'sunny' }) } }).start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'judge', retry: true }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.error?.code).toBe('INVALID_OUTPUT');
    expect(status.error?.message).toContain('the orchestrator refused the output (HTTP 400): ');
    expect(status.error?.message).toContain('output.mood: not a mood this node knows');
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it("aborts the handler's signal when the execution is cancelled (learned from a heartbeat)", async () => {
    const { url, orch, hub } = await startServer({ hub: { leaseSeconds: 0.3 } });
    const started = gate();
    let reason: unknown = null;
    await worker({
      url,
      actions: {
        hold: async (_input, ctx) => {
          started.open();
          try {
            await untilAborted(ctx.signal);
          } catch (error) {
            reason = error;
            throw error;
          }
        },
      },
    }).start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'hold' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    await eventually(() => reason, 'the handler to see the abort');
    expect(String(reason)).toMatch(/cancelled/);
    // The worker acknowledged it: the hub holds nothing any more.
    await eventually(() => hub.snapshot().workers[0]?.tasks.length === 0, 'the task to be released');
  });

  it("aborts the handler's signal when the step times out, and the retry completes", async () => {
    const { url, orch } = await startServer({ hub: { leaseSeconds: 0.3 } });
    const aborted: number[] = [];
    await worker({
      url,
      actions: {
        slow: async (_input, ctx) => {
          if (ctx.attempt === 1) {
            await untilAborted(ctx.signal).catch((error) => {
              aborted.push(ctx.attempt);
              throw error;
            });
          }
          return { attempt: ctx.attempt };
        },
      },
    }).start();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'slow', timeout: 0.3, retry: { maxAttempts: 1, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.outputData).toEqual({ slow: { attempt: 2 } });
    expect(status.steps[0]?.history?.[0]?.error?.code).toBe('STEP_TIMEOUT');
    await eventually(() => aborted.length === 1, 'the first attempt to be aborted');
  });

  it("aborts the handler's signal when no heartbeat got through for a whole lease, freeing the slot for the retry", async () => {
    const { url, orch, app } = await startServer({ hub: { leaseSeconds: 0.3 } });
    // The node cannot be reached for heartbeats (it died, or the network is cut): its lease runs out.
    let cut = true;
    app.server.prependListener('request', (req) => {
      if (cut && req.url?.endsWith('/heartbeat')) req.socket.destroy();
    });
    const aborted: string[] = [];
    await worker({
      url,
      actions: {
        long: async (_input, ctx) => {
          if (ctx.attempt === 1) {
            await untilAborted(ctx.signal).catch((error) => {
              aborted.push(String(error));
              cut = false;
              throw error;
            });
          }
          return { attempt: ctx.attempt };
        },
      },
    }).start();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'long', retry: { maxAttempts: 1, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    // One slot: the retry runs only once the lost attempt let go of it.
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.outputData).toEqual({ long: { attempt: 2 } });
    expect(status.steps[0]?.history?.[0]?.error?.code).toBe('WORKER_LOST');
    expect(aborted).toEqual([expect.stringMatching(/lost/)]);
  });

  it('stop() aborts running tasks, gives them back (no attempt spent) and deregisters', async () => {
    const { url, orch, hub } = await startServer();
    const started = gate();
    const first = worker({
      url,
      name: 'first',
      actions: {
        job: async (_input, ctx) => {
          started.open();
          await untilAborted(ctx.signal);
        },
      },
    });
    await first.start();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'job', retry: { maxAttempts: 1, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    await first.stop();
    expect(hub.snapshot()).toEqual({ workers: [], queued: { job: 1 } });
    await worker({ url, name: 'second', actions: { job: () => 'second' } }).start();
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.outputData).toEqual({ job: 'second' });
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it('stop({ grace }) lets a running task finish first', async () => {
    const { url, orch } = await startServer();
    const started = gate();
    const release = gate();
    const w = worker({
      url,
      actions: {
        job: async () => {
          started.open();
          await release.promise;
          return 'finished';
        },
      },
    });
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const stopping = w.stop({ grace: 600 });
    const { calls, results } = { calls: [...timers.mock.calls], results: [...timers.mock.results] };
    timers.mockRestore();
    const graceTimer = calls.findIndex((call) => call[1] === 600_000);
    setTimeout(() => release.open(), 100);
    await stopping;
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.outputData).toEqual({ job: 'finished' });
    // The task ended first: the grace timer is cleared, so it does not keep the process alive.
    expect(graceTimer).toBeGreaterThanOrEqual(0);
    const timer = results[graceTimer]?.value as { _destroyed?: boolean };
    expect(timer._destroyed).toBe(true);
  });

  it('stop({ grace }) longer than a Node timer takes (2^31-1 ms) still waits for the task', async () => {
    const { url, orch } = await startServer();
    const started = gate();
    const release = gate();
    let aborted: unknown = null;
    const w = worker({
      url,
      actions: {
        job: async (_input, ctx) => {
          started.open();
          await Promise.race([release.promise, untilAborted(ctx.signal)]).catch(() => undefined);
          aborted = ctx.signal.reason ?? false;
          return 'finished';
        },
      },
    });
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    // Node runs a longer setTimeout after 1 ms: the task was aborted at once.
    const stopping = w.stop({ grace: Number.POSITIVE_INFINITY });
    setTimeout(() => release.open(), 100);
    await stopping;
    expect(aborted).toBe(false);
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.outputData).toEqual({ job: 'finished' });
  });

  it('heartbeats at most every 2^31-1 ms however long a lease the node answers', async () => {
    const { url, orch, hub } = await startServer();
    // A node that answers a lease of 1e7 s: a third of it is past what Node's timers take, and
    // Node ran the heartbeat interval every 1 ms instead (a hundred heartbeats in 300 ms).
    const register = hub.register.bind(hub);
    vi.spyOn(hub, 'register').mockImplementation((req) => ({ ...register(req), leaseSeconds: 1e7 }));
    const beats = vi.spyOn(hub, 'heartbeat');
    const w = worker({
      url,
      actions: { job: () => new Promise((resolve) => setTimeout(() => resolve('done'), 300)) },
    });
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.outputData).toEqual({ job: 'done' });
    expect(beats).not.toHaveBeenCalled();
  });

  it('registers again after a 404 (the node forgot it) and keeps serving', async () => {
    const { url, orch, hub } = await startServer({ hub: { pollSeconds: 0.2 } });
    const w = worker({ url, actions: { job: () => 'ok' } });
    await w.start();
    const before = w.registrations[0]?.workerId;
    hub.deregister(before!);
    const after = await eventually(() => {
      const id = w.registrations[0]?.workerId;
      return id && id !== before ? id : null;
    }, 'a new registration');
    expect(hub.snapshot().workers.map((x) => x.id)).toEqual([after]);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await orch.workflowEngine.waitForCompletion(id, { timeout: 10 })).outputData).toEqual({
      job: 'ok',
    });
  });

  it('backs off while a node is down and registers once it is up', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const warnings: string[] = [];
    const w = worker({
      url,
      actions: { job: () => 'late but fine' },
      logger: { info() {}, debug() {}, error() {}, warn: (_obj, msg) => warnings.push(msg ?? '') },
    });
    await w.start();
    expect(w.registrations[0]?.workerId).toBeNull();
    expect(warnings.some((m) => /register failed; backing off/.test(m))).toBe(true);

    const orch = await createOrchestrator({ store: 'memory' });
    const hub = new RemoteWorkerHub({ pollSeconds: 1 }).attach(orch.workflowEngine);
    const app = await buildApp(orch, { token: TOKEN, remoteWorkers: hub });
    onTestFinished(async () => {
      await app.close();
      hub.close();
      await orch.close();
    });
    await app.listen({ port, host: '127.0.0.1' });
    await eventually(() => w.registrations[0]?.workerId, 'the registration', 15_000);
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await orch.workflowEngine.waitForCompletion(id, { timeout: 10 })).outputData).toEqual({
      job: 'late but fine',
    });
  });

  it('serves several nodes (each with its own queue) from one worker, round-robin', async () => {
    const a = await startServer({ hub: { pollSeconds: 1 } });
    const b = await startServer({ hub: { pollSeconds: 1 } });
    const nodesSeen = new Set<string>();
    const w = worker({
      urls: [a.url, b.url],
      concurrency: 2,
      actions: {
        job: (input) => {
          nodesSeen.add((input as { node: string }).node);
          return input;
        },
      },
    });
    await w.start();
    expect(w.registrations.map((r) => r.url)).toEqual([a.url, b.url]);
    for (const s of [a, b]) await s.orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const ids = await Promise.all(
      [a, b].map((s, i) => s.orch.workflowEngine.executeWorkflow('w', { node: i === 0 ? 'a' : 'b' })),
    );
    const done = await Promise.all(
      [a, b].map((s, i) => s.orch.workflowEngine.waitForCompletion(ids[i]!, { timeout: 15 })),
    );
    expect(done.map((d) => d.status)).toEqual(['completed', 'completed']);
    expect([...nodesSeen].sort()).toEqual(['a', 'b']);
  });

  it('runs up to `concurrency` tasks at once', async () => {
    const { url, orch } = await startServer();
    let running = 0;
    let peak = 0;
    const release = gate();
    const w = worker({
      url,
      concurrency: 3,
      actions: {
        job: async () => {
          running++;
          peak = Math.max(peak, running);
          await release.promise;
          running--;
          return 'ok';
        },
      },
    });
    await w.start();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const ids = await Promise.all(Array.from({ length: 5 }, () => orch.workflowEngine.executeWorkflow('w')));
    await eventually(() => w.running === 3, 'three tasks to run');
    await new Promise((r) => setTimeout(r, 100));
    expect(peak).toBe(3);
    release.open();
    for (const id of ids) await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(peak).toBe(3);
  });

  it('rejects start() when a node refuses the registration, and bad options at once', async () => {
    const { url } = await startServer({ orchestrator: { actions: { local: () => 1 } } });
    await expect(worker({ url, token: 'wrong', actions: { job: () => 1 } }).start()).rejects.toThrow(
      /bearer token/,
    );
    await expect(worker({ url, actions: { local: () => 1 } }).start()).rejects.toThrow(/local handler/);
    expect(() => createRemoteWorker({ token: TOKEN, actions: { a: () => 1 } })).toThrow(ValidationError);
    expect(() => createRemoteWorker({ token: TOKEN, actions: { a: () => 1 } })).toThrow(/url/);
    let refused: unknown = null;
    try {
      createRemoteWorker({ url, token: TOKEN, concurrency: 0, actions: { a: () => 1 } });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'concurrency' }] });
    expect(() => createRemoteWorker({ url: 'ftp://x', token: TOKEN, actions: { a: () => 1 } })).toThrow(
      /http/,
    );
    expect(() => createRemoteWorker({ url, token: '', actions: { a: () => 1 } })).toThrow(/token/);
    expect(() => createRemoteWorker({ url, token: TOKEN, actions: {} })).toThrow(/actions/);
    expect(() => createRemoteWorker({ url, token: TOKEN, actions: { 'bad name': () => 1 } })).toThrow(
      /match/,
    );
    expect(() => createRemoteWorker({ url, token: TOKEN, concurrency: 0, actions: { a: () => 1 } })).toThrow(
      /concurrency/,
    );
    // Past 2^31-1 ms Node ran the request timer after 1 ms: every request "timed out" at once.
    for (const requestTimeoutSeconds of [0, 86_401, 3e6, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() =>
        createRemoteWorker({ url, token: TOKEN, requestTimeoutSeconds, actions: { a: () => 1 } }),
      ).toThrow(/`requestTimeoutSeconds` must be a number more than 0 and at most 86400/);
    }
    expect(() =>
      createRemoteWorker({ url, token: TOKEN, requestTimeoutSeconds: 86_400, actions: { a: () => 1 } }),
    ).not.toThrow();
  });

  it('refuses start() once stopped (it used to resolve and serve nothing) and a second start()', async () => {
    const { url } = await startServer();
    const stoppedFirst = worker({ url, actions: { job: () => 1 } });
    await stoppedFirst.stop();
    await expect(stoppedFirst.start()).rejects.toThrow(ClosedError);
    await expect(stoppedFirst.start()).rejects.toThrow(/was stopped/);
    expect(stoppedFirst.registrations).toEqual([{ url, workerId: null }]);

    const twice = worker({ url, actions: { job: () => 1 } });
    await twice.start();
    await expect(twice.start()).rejects.toThrow(ConflictError);
    await twice.stop();
    await expect(twice.start()).rejects.toThrow(ClosedError);
  });
});

describe('stop({ grace }) with a grace that is not a duration', () => {
  it.each([Number.NaN, -1, '10', null])('refuses %s, naming `grace`, and can still stop', async (grace) => {
    const w = createRemoteWorker({ url: 'http://127.0.0.1:9', token: TOKEN, actions: { job: () => 1 } });
    // It used to take NaN, a negative number or null as no grace: running tasks were aborted at once.
    await expect(w.stop({ grace } as never)).rejects.toThrow(ValidationError);
    await expect(w.stop({ grace } as never)).rejects.toThrow(/grace/);
    await w.stop();
  });
});
