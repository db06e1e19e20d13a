/**
 * Group commit: many callers' writes share one transaction.
 *
 * Callers `enqueue` an operation and get a promise. The first operation of a batch schedules a
 * flush with `setImmediate`, so everything enqueued in the same tick (e.g. 100 executions
 * recording a step result) is committed by ONE transaction, supplied by the adapter as `commit`.
 * Each caller's promise settles only after that commit returned (never before), with the outcome
 * the adapter reported for its operation; if the transaction as a whole fails, every operation in
 * it is rejected. `commit` may be synchronous (SQLite, unless it waits for the write lock) or
 * return a promise (PostgreSQL); while an asynchronous commit runs, new operations queue for the
 * next flush.
 *
 * Consecutive operations with the same `key` (e.g. two updates of one execution) can be merged by
 * the adapter's `merge`, so one row is written per key per flush; every merged caller still gets
 * its promise settled after the commit. An operation without a key is a barrier: nothing enqueued
 * after it merges into an operation enqueued before it.
 * @module
 */
import { OrchestratorError } from '../errors.js';
import { isThenable } from '../thenable.js';

/** The result of one operation inside a committed batch. */
export type Outcome<R = unknown> = { ok: true; value: R } | { ok: false; error: unknown };

/** A successful outcome. */
export function succeeded<R>(value: R): Outcome<R> {
  return { ok: true, value };
}

/** A failed outcome: only this operation is rejected, with `error`. */
export function failed(error: unknown): Outcome<never> {
  return { ok: false, error };
}

/** What an adapter supplies to a {@link GroupCommit}. */
export interface BatchHandler<Op, R = unknown> {
  /**
   * Runs ONE transaction over `batch` (in enqueue order) and returns one outcome per operation, in
   * the same order. Throwing (or rejecting) means nothing was committed: every operation fails.
   */
  commit(batch: readonly Op[]): readonly Outcome<R>[] | Promise<readonly Outcome<R>[]>;
  /** Key under which consecutive operations may merge; `undefined` makes the operation a barrier. */
  key?(op: Op): string | undefined;
  /**
   * Merges `next` into `into` (an operation still queued with the same key) and returns true, or
   * returns false to queue `next` on its own. Both operations then share one outcome.
   */
  merge?(into: Op, next: Op): boolean;
}

/** Counters of a {@link GroupCommit}, e.g. to check that concurrent writes share transactions. */
export interface GroupCommitStats {
  /** Transactions attempted. */
  flushes: number;
  /** Operations committed or failed (after merging). */
  operations: number;
  /** Operations merged into an earlier one. */
  merged: number;
}

interface Waiter<R> {
  resolve(value: R): void;
  reject(error: unknown): void;
}

interface Entry<Op, R> {
  op: Op;
  waiters: Waiter<R>[];
}

/** Batches operations into one transaction per flush. See the module comment. */
export class GroupCommit<Op, R = unknown> {
  private queue: Entry<Op, R>[] = [];
  private readonly byKey = new Map<string, Entry<Op, R>>();
  private scheduled = false;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly counters: GroupCommitStats = { flushes: 0, operations: 0, merged: 0 };
  private readonly onImmediate = () => {
    this.scheduled = false;
    this.flushNow();
  };

  constructor(private readonly handler: BatchHandler<Op, R>) {}

  /** Queues `op`; resolves with its outcome after the transaction that contains it committed. */
  enqueue(op: Op): Promise<R> {
    if (this.closed) return Promise.reject(new OrchestratorError('CLOSED', 'The store is closed'));
    return new Promise<R>((resolve, reject) => {
      const waiter: Waiter<R> = { resolve, reject };
      const key = this.handler.key?.(op);
      if (key === undefined) {
        this.byKey.clear();
      } else {
        const previous = this.byKey.get(key);
        if (previous && this.handler.merge?.(previous.op, op)) {
          previous.waiters.push(waiter);
          this.counters.merged++;
          return;
        }
      }
      const entry: Entry<Op, R> = { op, waiters: [waiter] };
      this.queue.push(entry);
      if (key !== undefined) this.byKey.set(key, entry);
      this.schedule();
    });
  }

  /** Operations waiting for the next flush. */
  get pending(): number {
    return this.queue.length;
  }

  /** A copy of the counters. */
  get stats(): GroupCommitStats {
    return { ...this.counters };
  }

  /** Commits everything queued now, and waits until nothing is queued or running. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.running) {
      if (this.running) await this.running;
      else this.flushNow();
    }
  }

  /** Refuses new operations, then flushes and waits for the last commit. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(this.onImmediate);
  }

  private flushNow(): void {
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.byKey.clear();
    this.counters.flushes++;
    this.counters.operations += batch.length;
    const ops = batch.map((entry) => entry.op);
    let result: readonly Outcome<R>[] | Promise<readonly Outcome<R>[]>;
    try {
      result = this.handler.commit(ops);
    } catch (error) {
      rejectAll(batch, error);
      return;
    }
    if (!isThenable<readonly Outcome<R>[]>(result)) {
      settle(batch, result);
      return;
    }
    this.running = Promise.resolve(result)
      .then(
        (outcomes) => settle(batch, outcomes),
        (error: unknown) => rejectAll(batch, error),
      )
      .finally(() => {
        this.running = null;
        if (this.queue.length > 0) this.schedule();
      });
  }
}

function settle<Op, R>(batch: Entry<Op, R>[], outcomes: readonly Outcome<R>[]): void {
  if (outcomes.length !== batch.length) {
    rejectAll(
      batch,
      new OrchestratorError(
        'STORE_UNAVAILABLE',
        `Group commit: expected ${batch.length} outcomes from the adapter, got ${outcomes.length}`,
      ),
    );
    return;
  }
  for (let i = 0; i < batch.length; i++) {
    const outcome = outcomes[i]!;
    for (const waiter of batch[i]!.waiters) {
      if (outcome.ok) waiter.resolve(outcome.value);
      else waiter.reject(outcome.error);
    }
  }
}

function rejectAll<Op, R>(batch: Entry<Op, R>[], error: unknown): void {
  for (const entry of batch) for (const waiter of entry.waiters) waiter.reject(error);
}
