/**
 * What the hub keeps of a task, of a registered worker and of a poll waiting for a task, and the
 * random ids it gives tasks and workers.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { StepContext } from '../types.js';
import { EndedTasks } from './ended-tasks.js';
import type { RemoteTask } from './protocol.js';
import type { Waiter as QueueWaiter } from './task-queue.js';

export interface Task {
  readonly wire: RemoteTask;
  readonly seq: number;
  state: 'queued' | 'leased' | 'cancelled';
  /** The step attempt's context: the hub reports to it how long the task waited for a worker. */
  readonly ctx: StepContext;
  /** When it last entered the queue. */
  queuedAt: number;
  leasedAt: number;
  leaseUntil: number;
  settled: boolean;
  /** Out of its queue while its node confirms the lease of its execution (see `TaskLeases`). */
  confirming?: boolean;
  resolve(output: unknown): void;
  reject(error: unknown): void;
}

export interface Waiter extends QueueWaiter<Task> {
  readonly worker: Worker;
}

export interface Worker {
  readonly id: string;
  readonly name: string | undefined;
  readonly actions: ReadonlySet<string>;
  readonly registeredAt: number;
  lastSeen: number;
  readonly waiters: Set<Waiter>;
  readonly tasks: Map<string, Task>;
  /** Why it no longer holds the tasks it held, for a late report on one. */
  readonly ended: EndedTasks;
}

/** `worker` no longer holds `taskId`, for the reason `why` (one of `ENDED`). */
export function endLease(worker: Worker, taskId: string, why: string): void {
  if (worker.tasks.delete(taskId)) worker.ended.add(taskId, why);
}

/** A new worker's record, holding no task. */
export function newWorker(fields: Omit<Worker, 'waiters' | 'tasks' | 'ended'>): Worker {
  return { ...fields, waiters: new Set(), tasks: new Map(), ended: new EndedTasks() };
}

export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}
