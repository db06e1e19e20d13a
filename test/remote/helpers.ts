/**
 * Fixtures of the remote-worker tests: an orchestrator on the memory store with a hub attached
 * (closed when the test ends), and helpers that wait for a task to reach the hub.
 * @module
 */
import { expect, onTestFinished } from 'vitest';
import { settle } from '../../src/clock.js';
import {
  FakeClock,
  type Orchestrator,
  type OrchestratorOptions,
  RemoteWorkerHub,
  type RemoteWorkerHubOptions,
} from '../../src/index.js';
import type { RemoteTask } from '../../src/remote/protocol.js';
import { type FlakyRenewals, withFlakyRenewals } from '../helpers/flaky-renewals.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

export interface RemoteFixture {
  orch: Orchestrator;
  hub: RemoteWorkerHub;
  clock: FakeClock;
}

/** An orchestrator in virtual time with a hub attached to its engine. */
export async function remoteSetup(
  options: { orchestrator?: OrchestratorOptions; hub?: RemoteWorkerHubOptions } = {},
): Promise<RemoteFixture> {
  const clock = new FakeClock();
  const hub = new RemoteWorkerHub({ clock, leaseSeconds: 10, pollSeconds: 5, ...options.hub });
  onTestFinished(() => hub.close());
  const orch = await withOrchestrator({ clock, ...options.orchestrator });
  hub.attach(orch.workflowEngine);
  return { orch, hub, clock };
}

/** Polls (without waiting) until the hub hands out a task, letting the engine run in between. */
export async function nextTask(hub: RemoteWorkerHub, workerId: string, tries = 50): Promise<RemoteTask> {
  for (let i = 0; i < tries; i++) {
    const task = await hub.poll(workerId, { waitSeconds: 0 });
    if (task) return task;
    await settle();
  }
  throw new Error('no task reached the hub');
}

/** Lets promise callbacks and the engine's group commits run. */
export async function flush(clock: FakeClock): Promise<void> {
  await clock.advance(0);
  await settle();
}

/** A {@link RemoteFixture} with one worker serving `stt`, holding the task of one execution of workflow `w`. */
export interface HeldTaskFixture extends RemoteFixture {
  workerId: string;
  /** The execution of workflow `w`. */
  id: string;
  task: RemoteTask;
}

/**
 * {@link remoteSetup}, then a worker registered for `stt`, workflow `w` defined with `step` (the
 * step `stt`, as given), one execution started and its task polled by the worker.
 */
export async function heldTask(
  step: Record<string, unknown> = { name: 'stt' },
  options: Parameters<typeof remoteSetup>[0] = {},
): Promise<HeldTaskFixture> {
  const fixture = await remoteSetup(options);
  const { orch, hub, clock } = fixture;
  const { workerId } = hub.register({ actions: ['stt'] });
  await orch.workflowEngine.defineWorkflow('w', [step as { name: string }]);
  const id = await orch.workflowEngine.executeWorkflow('w');
  await flush(clock);
  const task = await nextTask(hub, workerId);
  return { ...fixture, workerId, id, task };
}

/**
 * A node on a `FlakyRenewals` store (3 s leases, rounds every 0.5 s) with a hub whose worker serves
 * `stt`, and an execution of a one-step `stt` workflow started (its task on its way to the hub).
 */
export async function flakyNodeWithHub() {
  const clock = new FakeClock();
  const { orch, store } = await withFlakyRenewals({ clock });
  const hub = new RemoteWorkerHub({ clock, leaseSeconds: 10, pollSeconds: 5 }).attach(orch.workflowEngine);
  onTestFinished(() => hub.close());
  const { workerId } = hub.register({ actions: ['stt'] });
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt' }]);
  const id = await orch.workflowEngine.executeWorkflow('w');
  await flush(clock);
  return { clock, orch, store, hub, workerId, id };
}

/** The node's renewals fail for longer than a lease (8 rounds): it counts its leases lapsed. */
export async function lapseLeases(store: FlakyRenewals, clock: FakeClock): Promise<void> {
  store.failRenewals = true;
  for (let i = 0; i < 8; i++) await clock.advance(500);
  expect(store.renewalsRefused).toBeGreaterThan(0);
}
