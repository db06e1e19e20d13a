/**
 * The remote-worker hub (docs/remote-workers.md) against a real engine, in virtual time:
 * queueing and long polls, leases and heartbeats, WORKER_LOST retried per the step's policy,
 * cancellation of queued and leased tasks, late results refused, worker-reported failures
 * (retryable or not), registration rules and expiry.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { settle } from '../../src/clock.js';
import {
  ConflictError,
  FakeClock,
  NonRetryableError,
  RemoteWorkerHub,
  ValidationError,
  WorkerLostError,
} from '../../src/index.js';
import { RemoteWorkerNotFoundError } from '../../src/remote/errors.js';
import type { RemoteTask } from '../../src/remote/protocol.js';
import { finishWithClock, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { flush, heldTask, nextTask, remoteSetup } from './helpers.js';

describe('queueing and polling', () => {
  it('queues a step as a task, hands it to a poll with its context, and completes the step with the output', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId, leaseSeconds, pollSeconds } = hub.register({ name: 'py-1', actions: ['stt'] });
    expect(workerId).toMatch(/^rw_[A-Za-z0-9_-]{22}$/);
    expect({ leaseSeconds, pollSeconds }).toEqual({ leaseSeconds: 10, pollSeconds: 5 });
    expect(orch.workflowEngine.listActions()).toContain('stt');

    await orch.workflowEngine.defineWorkflow('voice', [
      { name: 'transcribe', action: 'stt', timeout: 60, input: "{'url': input.audioUrl}" },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('voice', { audioUrl: 'https://x/a.wav' });
    await flush(clock);
    expect(hub.snapshot().queued).toEqual({ stt: 1 });

    const task = await nextTask(hub, workerId);
    expect(task).toEqual({
      taskId: expect.stringMatching(/^rt_/),
      action: 'stt',
      executionId: id,
      workflowId: 'voice',
      step: 'transcribe',
      attempt: 1,
      input: { url: 'https://x/a.wav' },
      idempotencyKey: `${id}:transcribe`,
      deadline: new Date(clock.now() + 60_000).toISOString(),
    });
    const snap = hub.snapshot();
    expect(snap.queued).toEqual({});
    expect(snap.workers[0]).toMatchObject({ id: workerId, name: 'py-1', actions: ['stt'], polling: 0 });
    expect(snap.workers[0]?.tasks).toEqual([
      expect.objectContaining({ taskId: task.taskId, step: 'transcribe', attempt: 1, cancelled: false }),
    ]);

    hub.complete(workerId, task.taskId, { text: 'hello' });
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ transcribe: { text: 'hello' } });
    expect(hub.snapshot().workers[0]?.tasks).toEqual([]);
  });

  it('answers a waiting poll as soon as a task arrives, and an empty poll after its wait', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['stt'] });
    const empty = hub.poll(workerId, { waitSeconds: 3 });
    await clock.advance(2999);
    expect(hub.snapshot().workers[0]?.polling).toBe(1);
    await clock.advance(1);
    await expect(empty).resolves.toBeNull();

    const waiting = hub.poll(workerId, { waitSeconds: 30 });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await flush(clock);
    const task = await waiting;
    // Without a step timeout, the workflow's (300 s by default) ends the attempt at the latest.
    const started = (await orch.workflowEngine.getExecutionStatus(id))!.startedAt.getTime();
    expect(task).toMatchObject({
      executionId: id,
      step: 'stt',
      deadline: new Date(started + 300_000).toISOString(),
    });
    hub.complete(workerId, task!.taskId, undefined);
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('completed');
    expect(status.steps[0]?.status).toBe('completed');
  });

  it('hands out the oldest task of the actions a poll asks for', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['a', 'b'] });
    await orch.workflowEngine.defineWorkflow('wa', [{ name: 'a' }]);
    await orch.workflowEngine.defineWorkflow('wb', [{ name: 'b' }]);
    await orch.workflowEngine.executeWorkflow('wb', { n: 1 });
    await flush(clock);
    await orch.workflowEngine.executeWorkflow('wa', { n: 2 });
    await orch.workflowEngine.executeWorkflow('wb', { n: 3 });
    await flush(clock);
    expect(hub.snapshot().queued).toEqual({ a: 1, b: 2 });
    expect((await hub.poll(workerId, { actions: ['a'], waitSeconds: 0 }))?.input).toEqual({ n: 2 });
    expect((await hub.poll(workerId, { waitSeconds: 0 }))?.input).toEqual({ n: 1 });
    expect((await hub.poll(workerId, { waitSeconds: 0 }))?.input).toEqual({ n: 3 });
    expect(await hub.poll(workerId, { waitSeconds: 0 })).toBeNull();
  });

  it('gives a waiting poll only tasks of the actions it asked for', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['a', 'b'] });
    const onlyA = hub.poll(workerId, { actions: ['a'], waitSeconds: 10 });
    await orch.workflowEngine.defineWorkflow('wb', [{ name: 'b' }]);
    await orch.workflowEngine.executeWorkflow('wb');
    await flush(clock);
    expect(hub.snapshot().queued).toEqual({ b: 1 });
    await clock.advance(10_000);
    await expect(onlyA).resolves.toBeNull();
  });

  it('puts a task whose hand-over failed back at the head of its queue', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['a'] });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    await orch.workflowEngine.executeWorkflow('w', { n: 1 });
    await orch.workflowEngine.executeWorkflow('w', { n: 2 });
    await flush(clock);
    const first = await nextTask(hub, workerId);
    expect(first.input).toEqual({ n: 1 });
    hub.unlease(workerId, first.taskId);
    expect(hub.snapshot().workers[0]?.tasks).toEqual([]);
    const again = await nextTask(hub, workerId);
    expect(again).toEqual(first);
  });

  it('registers proxies up front with hub.actions(), so a step waits for a worker instead of failing', async () => {
    const clock = new FakeClock();
    const hub = new RemoteWorkerHub({ clock });
    const orch = await withOrchestrator({ clock, actions: { ...hub.actions(['late']) } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'late' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', { x: 1 });
    await clock.advance(60_000);
    expect(hub.snapshot().queued).toEqual({ late: 1 });
    // Not attached to the engine: it serves only the actions it declared.
    expect(() => hub.register({ actions: ['other'] })).toThrow(ConflictError);
    const { workerId } = hub.register({ actions: ['late'] });
    const task = await nextTask(hub, workerId);
    hub.complete(workerId, task.taskId, { ok: true });
    const status = await finishWithClock(orch, clock, id);
    expect(status).toMatchObject({ status: 'completed', outputData: { late: { ok: true } } });
    hub.close();
  });
});

describe('leases, heartbeats and lost workers', () => {
  it('fails a task whose lease expired with WORKER_LOST; the retry goes to another worker and completes', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const dead = hub.register({ name: 'dead', actions: ['stt'] }).workerId;
    const alive = hub.register({ name: 'alive', actions: ['stt'] }).workerId;
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'stt', retry: { maxAttempts: 2, initialDelay: 1 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w', { n: 1 });
    await flush(clock);
    const first = await nextTask(hub, dead);

    // The other worker keeps polling (and so stays registered); the holder goes silent.
    const pollUntilTask = async (): Promise<RemoteTask> => {
      for (let t = 0; t < 15; t++) {
        const poll = hub.poll(alive, { waitSeconds: 1 });
        await clock.advance(1000);
        const task = await poll;
        if (task) return task;
      }
      throw new Error('no retry reached the surviving worker');
    };
    const second = await pollUntilTask();
    expect(second).toMatchObject({
      executionId: id,
      attempt: 2,
      idempotencyKey: first.idempotencyKey,
      input: { n: 1 },
    });
    expect(second.taskId).not.toBe(first.taskId);
    // The silent worker's registration expired with its lease.
    expect(hub.snapshot().workers.map((w) => w.id)).toEqual([alive]);

    hub.complete(alive, second.taskId, { by: 'alive' });
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ stt: { by: 'alive' } });
    expect(status.steps[0]?.history?.map((h) => h.error?.code)).toEqual(['WORKER_LOST', undefined]);
    expect(status.steps[0]?.history?.[0]?.error?.message).toMatch(/no heartbeat for 10s/);
  });

  it('refuses a late completion (409) from a worker whose lease expired while it stayed registered', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['stt', 'idle'] });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt', retry: { maxAttempts: 1 } }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await flush(clock);
    const task = await nextTask(hub, workerId);
    // Polls (for another action) keep the registration alive, but nobody heartbeats the task.
    for (let t = 0; t < 11; t++) {
      void hub.poll(workerId, { actions: ['idle'], waitSeconds: 0.5 });
      await clock.advance(1000);
    }
    expect(() => hub.complete(workerId, task.taskId, { late: true })).toThrow(ConflictError);
    expect(() => hub.heartbeat(workerId, task.taskId)).toThrow(/not leased to worker/);
    // The retry (after a 1 s backoff) is a new task.
    await clock.advance(2000);
    const retry = await nextTask(hub, workerId);
    expect(retry).toMatchObject({ attempt: 2, idempotencyKey: task.idempotencyKey });
    hub.complete(workerId, retry.taskId, { onTime: true });
    const status = await finishWithClock(orch, clock, id);
    expect(status.outputData).toEqual({ stt: { onTime: true } });
  });

  it('fails the step with WORKER_LOST when the step has no retry policy', async () => {
    const { orch, hub, clock, workerId, id } = await heldTask();
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'WORKER_LOST', step: 'stt' });
    // The registration expired too: the worker must register again.
    await expect(hub.poll(workerId)).rejects.toThrow(RemoteWorkerNotFoundError);
  });

  it('keeps a task leased across many leases while heartbeats arrive', async () => {
    const { orch, hub, clock, workerId, id, task } = await heldTask();
    for (let t = 0; t < 10; t++) {
      await clock.advance(5000);
      expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: false });
    }
    hub.complete(workerId, task.taskId, 42);
    const status = await finishWithClock(orch, clock, id);
    expect(status.outputData).toEqual({ stt: 42 });
  });

  it('fails the tasks of a deregistered worker with WORKER_LOST at once', async () => {
    const { orch, hub, clock, workerId, id } = await heldTask();
    const start = clock.now();
    hub.deregister(workerId);
    const status = await finishWithClock(orch, clock, id);
    expect(clock.now() - start).toBeLessThan(1000);
    expect(status.error).toMatchObject({ code: 'WORKER_LOST' });
    expect(status.error?.message).toMatch(/deregistered/);
    expect(() => hub.deregister(workerId)).toThrow(RemoteWorkerNotFoundError);
  });

  it('drops a registration not heard from within a lease, but not while it has a poll waiting', async () => {
    const { hub, clock } = await remoteSetup({ hub: { leaseSeconds: 2 } });
    const quiet = hub.register({ actions: ['x'] }).workerId;
    const polling = hub.register({ actions: ['x'] }).workerId;
    const long = hub.poll(polling, { waitSeconds: 5 });
    await clock.advance(4000);
    expect(hub.snapshot().workers.map((w) => w.id)).toEqual([polling]);
    await clock.advance(1000);
    await expect(long).resolves.toBeNull();
    await clock.advance(3000);
    expect(hub.snapshot().workers).toEqual([]);
    await expect(hub.poll(quiet)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers waiting polls with no task when the hub closes, and refuses registrations after', async () => {
    const { hub } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['x'] });
    const waiting = hub.poll(workerId, { waitSeconds: 30 });
    hub.close();
    await expect(waiting).resolves.toBeNull();
    expect(() => hub.register({ actions: ['x'] })).toThrow(/closed/);
    // Its workers were dropped: a poll answers CLOSED (503) as registering again does, not
    // NOT_FOUND (404: register again), so clients back off.
    await expect(hub.poll(workerId)).rejects.toMatchObject({ code: 'CLOSED' });
    expect(() => hub.register({ actions: ['x'] })).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });
});

describe('cancellation and step timeouts', () => {
  it('removes a queued task when its execution is cancelled', async () => {
    const { orch, hub, clock } = await remoteSetup();
    hub.register({ actions: ['stt'] });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await flush(clock);
    expect(hub.snapshot().queued).toEqual({ stt: 1 });
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    expect(hub.snapshot().queued).toEqual({});
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
  });

  it('marks a leased task cancelled: the heartbeat says so and the late completion is refused', async () => {
    const { orch, hub, workerId, id, task } = await heldTask();
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    expect(hub.snapshot().workers[0]?.tasks[0]).toMatchObject({ taskId: task.taskId, cancelled: true });
    expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: true });
    // Told so, the worker holds it no longer: it is not counted as held until its lease runs out.
    expect(hub.snapshot().workers[0]?.tasks).toEqual([]);
    expect(() => hub.heartbeat(workerId, task.taskId)).toThrow(
      new ConflictError(
        `Task '${task.taskId}' is not leased to worker '${workerId}' (it was cancelled (its step was cancelled or timed out))`,
      ),
    );
    expect(() => hub.complete(workerId, task.taskId, {})).toThrow(/was cancelled/);
    // Settled: a second report is a conflict too, and the worker holds nothing.
    expect(() => hub.fail(workerId, task.taskId, { error: { message: 'x' } })).toThrow(ConflictError);
    expect(hub.snapshot().workers[0]?.tasks).toEqual([]);
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
  });

  it('forgets a cancelled task the worker never acknowledges once its lease runs out', async () => {
    const { orch, hub, clock, workerId, id } = await heldTask();
    await orch.workflowEngine.cancelWorkflow(id);
    for (let t = 0; t < 11; t++) {
      void hub.poll(workerId, { waitSeconds: 0.5 });
      await clock.advance(1000);
    }
    expect(hub.snapshot().workers[0]?.tasks).toEqual([]);
  });

  it("cancels a leased task when the step times out; the retry is a new task with the step's next attempt", async () => {
    const {
      orch,
      hub,
      clock,
      workerId,
      id,
      task: first,
    } = await heldTask({ name: 'stt', timeout: 2, retry: { maxAttempts: 1 } }, { hub: { leaseSeconds: 60 } });
    expect(Date.parse(first.deadline!)).toBe(clock.now() + 2000);
    await clock.advance(2000);
    expect(hub.heartbeat(workerId, first.taskId)).toEqual({ cancelled: true });
    await clock.advance(1000);
    const second = await nextTask(hub, workerId);
    expect(second.attempt).toBe(2);
    hub.complete(workerId, second.taskId, 'ok');
    const status = await finishWithClock(orch, clock, id);
    expect(status.steps[0]?.history?.map((h) => h.error?.code)).toEqual(['STEP_TIMEOUT', undefined]);
  });
});

describe('failures reported by workers', () => {
  it('fails the step at once when the failure is not retryable, with the reported code', async () => {
    const { orch, hub, clock, workerId, id, task } = await heldTask({ name: 'stt', retry: true });
    hub.fail(workerId, task.taskId, { error: { code: 'BAD_AUDIO', message: 'not a wav' }, retryable: false });
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('failed');
    expect(status.error).toEqual({ code: 'BAD_AUDIO', message: 'not a wav', step: 'stt' });
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it('uses NON_RETRYABLE for a non-retryable failure without a code', async () => {
    const { orch, hub, clock, workerId, id, task } = await heldTask({ name: 'stt', retry: true });
    hub.fail(workerId, task.taskId, { error: { message: 'no' }, retryable: false });
    const status = await finishWithClock(orch, clock, id);
    expect(status.error).toEqual({ code: 'NON_RETRYABLE', message: 'no', step: 'stt' });
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it("retries a retryable failure under the step's policy, keeping the reported code (STEP_FAILED without one)", async () => {
    const {
      orch,
      hub,
      clock,
      workerId,
      id,
      task: first,
    } = await heldTask({ name: 'stt', retry: { maxAttempts: 2 } });
    hub.fail(workerId, first.taskId, { error: { code: 'UPSTREAM_503', message: 'try later' } });
    await clock.advance(1000);
    const second = await nextTask(hub, workerId);
    hub.fail(workerId, second.taskId, { error: { message: 'still down' }, retryable: true });
    await clock.advance(2000);
    const third = await nextTask(hub, workerId);
    expect(third.attempt).toBe(3);
    hub.complete(workerId, third.taskId, 'done');
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('completed');
    expect(status.steps[0]?.history?.map((h) => h.error?.code)).toEqual([
      'UPSTREAM_503',
      'STEP_FAILED',
      undefined,
    ]);
  });

  it("honours the step's nonRetryable list for reported codes", async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['stt'] });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'stt', retry: { maxAttempts: 3, nonRetryable: ['QUOTA'] } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await flush(clock);
    const task = await nextTask(hub, workerId);
    hub.fail(workerId, task.taskId, { error: { code: 'QUOTA', message: 'over quota' } });
    const status = await finishWithClock(orch, clock, id);
    expect(status.error).toMatchObject({ code: 'QUOTA' });
    expect(status.steps[0]?.attempts).toBe(1);
  });
});

describe('registration rules', () => {
  it('refuses (409) an action whose proxy a local handler replaced since', async () => {
    const { orch, hub, clock } = await remoteSetup();
    hub.register({ actions: ['stt'] });
    orch.workflowEngine.registerAction('stt', () => 'local');
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await flush(clock);
    expect((await finishWithClock(orch, clock, id)).outputData).toEqual({ stt: 'local' });
    // A worker registered now would never get a task of it.
    expect(() => hub.register({ name: 'late', actions: ['stt'] })).toThrow(ConflictError);
    // Another action still routes to remote workers.
    expect(hub.register({ name: 'tts', actions: ['tts'] }).workerId).toMatch(/^rw_/);
  });

  it('refuses unknown workers (404 NOT_FOUND) on every worker request', async () => {
    const { hub } = await remoteSetup();
    const calls = [
      () => hub.poll('rw_nope'),
      async () => hub.heartbeat('rw_nope', 'rt_x'),
      async () => hub.complete('rw_nope', 'rt_x', 1),
      async () => hub.fail('rw_nope', 'rt_x', { error: { message: 'x' } }),
      async () => hub.deregister('rw_nope'),
    ];
    for (const call of calls) await expect(call()).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a task the worker does not hold with a conflict', async () => {
    const { hub } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['x'] });
    expect(() => hub.heartbeat(workerId, 'rt_unknown')).toThrow(ConflictError);
    expect(() => hub.complete(workerId, 'rt_unknown', 1)).toThrow(ConflictError);
  });

  it('refuses built-in names, bad names and an action a local handler serves', async () => {
    const { hub } = await remoteSetup({ orchestrator: { actions: { local: () => 1 } } });
    expect(() => hub.register({ actions: ['http'] })).toThrow(ValidationError);
    expect(() => hub.register({ actions: ['bad name'] })).toThrow(/actions\[0\]/);
    expect(() => hub.register({ actions: [] })).toThrow(ValidationError);
    expect(() => hub.register({ actions: ['ok', 'local'] })).toThrow(/local handler serves 'local'/);
    expect(hub.snapshot().workers).toEqual([]);
  });

  it('refuses a leaseSeconds longer than a day, naming it (workers heartbeat every third of it)', () => {
    for (const leaseSeconds of [86_401, 1e7, Number.POSITIVE_INFINITY]) {
      expect(() => new RemoteWorkerHub({ leaseSeconds })).toThrow(ValidationError);
      expect(() => new RemoteWorkerHub({ leaseSeconds })).toThrow(
        /Expected `leaseSeconds` to be a positive number up to 86400/,
      );
    }
    expect(new RemoteWorkerHub({ leaseSeconds: 86_400 }).leaseSeconds).toBe(86_400);
  });

  it('lets several workers share a proxied action, and dedupes names', async () => {
    const { orch, hub } = await remoteSetup();
    const a = hub.register({ actions: ['x', 'x'] });
    const b = hub.register({ actions: ['x'] });
    expect(a.workerId).not.toBe(b.workerId);
    expect(hub.snapshot().workers.map((w) => w.actions)).toEqual([['x'], ['x']]);
    expect(orch.workflowEngine.listActions().filter((n) => n === 'x')).toEqual(['x']);
  });

  it("refuses a poll for actions the worker did not register, and caps a worker's waiting polls", async () => {
    const { hub } = await remoteSetup({ hub: { maxPollsPerWorker: 2 } });
    const { workerId } = hub.register({ actions: ['x'] });
    await expect(hub.poll(workerId, { actions: ['y'] })).rejects.toThrow(ValidationError);
    void hub.poll(workerId);
    void hub.poll(workerId);
    await expect(hub.poll(workerId)).rejects.toThrow(ConflictError);
  });

  it('caps the number of registered workers', async () => {
    const { hub } = await remoteSetup({ hub: { maxWorkers: 1 } });
    hub.register({ actions: ['x'] });
    expect(() => hub.register({ actions: ['x'] })).toThrow(/Too many remote workers/);
  });

  it('validates its options', () => {
    expect(() => new RemoteWorkerHub({ leaseSeconds: 0 })).toThrow(/leaseSeconds/);
    expect(() => new RemoteWorkerHub({ pollSeconds: 31 })).toThrow(/pollSeconds/);
  });

  it('is attached to one engine only', async () => {
    const { hub } = await remoteSetup();
    const other = await withOrchestrator();
    expect(() => hub.attach(other.workflowEngine)).toThrow(ConflictError);
  });
});

describe('engine hook: ctx.deadline', () => {
  it('gives handlers the time their attempt ends by: the earliest of its timeout and the enclosing ones', async () => {
    const clock = new FakeClock();
    const seen: (number | undefined)[] = [];
    const orch = await withOrchestrator({
      clock,
      actions: {
        a: (_i, ctx) => {
          seen.push(ctx.deadline);
        },
        b: async (_i, ctx) => {
          seen.push(ctx.deadline);
          if (ctx.attempt === 1) await untilAborted(ctx.signal);
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b', timeout: 1.5, retry: true }]);
    const start = clock.now();
    await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    // A step without a timeout ends by the workflow's (300 s by default). Attempt 2 of `b` starts
    // after its 1.5 s timeout and a 1 s backoff.
    expect(seen).toEqual([start + 300_000, start + 1500, start + 1500 + 1000 + 1500]);

    // The workflow's timeout (4 s) ends an attempt before its own (1.5 s, from 3 s) would, and
    // one of a step without a timeout; inside a parallel step, the parallel step's (1 s) comes first.
    seen.length = 0;
    await orch.workflowEngine.defineWorkflow(
      'bounded',
      [
        { name: 'a' },
        { name: 'wait', action: 'delay', input: "{'seconds': 3}" },
        { name: 'b', timeout: 1.5 },
      ],
      { timeout: 4 },
    );
    const from = clock.now();
    await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('bounded'));
    expect(seen).toEqual([from + 4000, from + 4000]);
    seen.length = 0;
    await orch.workflowEngine.defineWorkflow(
      'branches',
      [{ name: 'p', parallel: [{ name: 'a' }, { name: 'b', timeout: 5 }], timeout: 1 }],
      { timeout: 60 },
    );
    const at = clock.now();
    await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('branches'));
    expect(seen).toEqual([at + 1000, at + 1000]);
  });
});

describe('WorkerLostError', () => {
  it('is retryable and names the worker and task', () => {
    const error = new WorkerLostError('rw_a', 'rt_b', 'deregistered');
    expect(error.code).toBe('WORKER_LOST');
    expect(error.workerId).toBe('rw_a');
    expect(error.message).toBe("Remote worker 'rw_a' was lost while running task 'rt_b' (deregistered)");
    expect(error).not.toBeInstanceOf(NonRetryableError);
  });

  it('settles cleanly when the orchestrator closes with a task leased', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['stt'] });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt' }]);
    await orch.workflowEngine.executeWorkflow('w');
    await flush(clock);
    const task = await nextTask(hub, workerId);
    await orch.close();
    await settle();
    expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: true });
  });
});

describe('a hub whose system clock is stepped back', () => {
  it("still fails a silent worker's task a lease later (WORKER_LOST, retried elsewhere) and drops its registration", async () => {
    const fake = new FakeClock();
    // Wall time the test steps back; timers run on the fake clock's own time, as Node's do.
    let offset = 0;
    const wall = {
      now: () => fake.now() - offset,
      setTimer: (fn: () => void, ms: number) => fake.setTimer(fn, ms),
      sleep: (ms: number, signal?: AbortSignal) => fake.sleep(ms, signal),
    };
    const hub = new RemoteWorkerHub({ clock: wall, leaseSeconds: 10, pollSeconds: 5 });
    onTestFinished(() => hub.close());
    const orch = await withOrchestrator({ clock: fake });
    hub.attach(orch.workflowEngine);
    const dead = hub.register({ name: 'dead', actions: ['stt'] }).workerId;
    const alive = hub.register({ name: 'alive', actions: ['stt'] }).workerId;
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'stt', retry: { maxAttempts: 2, initialDelay: 1 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await flush(fake);
    await nextTask(hub, dead);
    offset = 86_400_000; // an NTP step back of a day
    let retry: RemoteTask | null = null;
    for (let t = 0; t < 20 && !retry; t++) {
      const poll = hub.poll(alive, { waitSeconds: 1 });
      await fake.advance(1000);
      retry = await poll;
    }
    // It used to stay leased to the silent worker (and registered) for the day.
    expect(retry).toMatchObject({ executionId: id, attempt: 2 });
    expect(hub.snapshot().workers.map((w) => w.id)).toEqual([alive]);
  });
});
