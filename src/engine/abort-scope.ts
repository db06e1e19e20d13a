/**
 * A cheap abort scope. Runners race every handler against cancellation, timeout and shutdown;
 * doing that with an `AbortController` and `addEventListener` per attempt dominated the hot
 * path. A scope keeps plain listener sets and creates a real `AbortSignal` only when a handler
 * reads `ctx.signal` (or a wait needs one).
 * @module
 */

import { setMaxListeners } from 'node:events';

type AbortListener = (reason: unknown) => void;

export class AbortScope {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | null = null;
  private listeners: Set<AbortListener> | null = null;
  private detach: (() => void) | null = null;
  /** The race on the fast path (see `race`) and its reject, or null. */
  private racing: AbortListener | null = null;
  private racePromise: Promise<unknown> | null = null;
  private readonly parent: AbortScope | null;
  /** The scope at the top of this one's parents (itself when it has none), and how deep below it. */
  private readonly root: AbortScope;
  private readonly depth: number;
  /** At a root: the scopes under it that have a deadline (see `expireAllIfLate`). */
  private timed: Set<AbortScope> | null = null;
  /** The deadline `expireIfLate` checks (see `setDeadline`), and what ends the scope past it. */
  private dueAt = Number.POSITIVE_INFINITY;
  private onDue: (() => void) | null = null;

  /** A child scope aborts when its parent does (call `dispose` when done with it). */
  constructor(parent?: AbortScope) {
    this.parent = parent ?? null;
    this.root = parent ? parent.root : this;
    this.depth = parent ? parent.depth + 1 : 0;
    if (!parent) return;
    if (parent.aborted) this.abort(parent.reason);
    else this.detach = parent.onAbort((reason) => this.abort(reason));
  }

  /** A real AbortSignal tied to this scope, created on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      // Any number of waits may share it: the branches of a wide parallel step waiting on their
      // retries each listen on their step's scope (Node warned of a leak past 10).
      setMaxListeners(0, this.controller.signal);
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Aborts the scope and its children (the first reason wins). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.onDue = null;
    this.controller?.abort(reason);
    const racing = this.racing;
    this.racing = null;
    this.racePromise = null;
    racing?.(reason);
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const l of listeners) l(reason);
    this.dispose();
  }

  /**
   * Gives the scope a deadline (clock ms) enforced by its owner's timer, which calls `onDue`;
   * {@link expireIfLate} calls it too once `now` is past `at`, when the timer has not fired yet.
   */
  setDeadline(at: number, onDue: () => void): void {
    this.dueAt = at;
    this.onDue = onDue;
    if (this.root === this) return;
    this.root.timed ??= new Set();
    this.root.timed.add(this);
  }

  /**
   * The earliest deadline (clock ms) still armed on this scope or a parent (a step attempt's
   * timeout, a parallel step's, the workflow's): when the scope ends at the latest.
   * `Infinity` when none is.
   */
  earliestDeadline(): number {
    let at = Number.POSITIVE_INFINITY;
    for (let s: AbortScope | null = this; s !== null; s = s.parent) {
      if (s.onDue !== null && s.dueAt < at) at = s.dueAt;
    }
    return at;
  }

  /** Drops the deadline (its timer was cancelled). */
  clearDeadline(): void {
    this.dueAt = Number.POSITIVE_INFINITY;
    this.onDue = null;
    this.root.timed?.delete(this);
  }

  /**
   * Ends the scope as its deadline's timer would, and its ancestors as theirs would, when `now` is
   * past a deadline (strictly later, whole ms) whose timer has not fired yet: Node runs the due
   * callbacks of one timer list together before the next list, so after a stall of the event loop
   * (or a synchronous handler) a result can arrive first. Called where a result is taken or work
   * starts, so a late one is not taken as in time. Several due: the earliest first, as their timers
   * would have fired (a step's timeout before its workflow's later one), an ancestor first at the
   * same time.
   */
  expireIfLate(now: number): void {
    let due: AbortScope[] | null = null;
    for (let s: AbortScope | null = this; s !== null; s = s.parent) {
      if (!s.lateAt(now)) continue;
      due ??= [];
      due.unshift(s);
    }
    if (due === null) return;
    // A stable sort: root first among equal deadlines.
    if (due.length > 1) due.sort((a, b) => a.dueAt - b.dueAt);
    for (const s of due) if (!s.aborted) s.onDue?.();
  }

  /**
   * {@link expireIfLate} for this scope (a root: one without a parent) and every scope under it
   * that has a deadline (a step attempt's timeout, a parallel step's), together: the earliest
   * deadline first, as their timers would have fired, the outer scope first at the same time. For
   * what stops an execution from outside (a cancel), which its timers would have come before.
   */
  expireAllIfLate(now: number): void {
    const timed = this.timed;
    if (timed === null || timed.size === 0) {
      this.expireIfLate(now);
      return;
    }
    const due = new Set<AbortScope>();
    if (this.lateAt(now)) due.add(this);
    for (const t of timed) {
      for (let s: AbortScope | null = t; s !== null && s !== this; s = s.parent)
        if (s.lateAt(now)) due.add(s);
    }
    const order = [...due].sort((a, b) => a.dueAt - b.dueAt || a.depth - b.depth);
    for (const s of order) if (!s.aborted) s.onDue?.();
  }

  /** Whether this scope's deadline has passed by `now` (strictly later) and not ended it yet. */
  private lateAt(now: number): boolean {
    return this.onDue !== null && now > this.dueAt && !this.aborted;
  }

  /** Calls `fn` on abort (at once if already aborted). Returns the unsubscribe function. */
  onAbort(fn: AbortListener): () => void {
    if (this.aborted) {
      fn(this.reason);
      return noop;
    }
    this.listeners ??= new Set();
    const set = this.listeners;
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Detaches from the parent. */
  dispose(): void {
    this.detach?.();
    this.detach = null;
    this.root.timed?.delete(this);
  }

  /**
   * Resolves with `value`, or rejects with the abort reason if the scope aborts first. One race
   * at a time takes a fast path (no listener, no wrapper callbacks); its caller passes the
   * promise to `endRace` once it settled. A race started while another one holds the fast path (or
   * whose caller did not end it) listens like any other abort listener: slower, equally correct.
   */
  race<T>(value: PromiseLike<T>): Promise<T> {
    if (this.aborted) {
      // Lost already (a handler that aborted its own scope before returning, e.g. by cancelling its
      // execution): its later rejection is discarded, not left unhandled to crash the process.
      value.then(undefined, noop);
      return Promise.reject(this.reason);
    }
    if (this.racing !== null) return this.raceListening(value);
    const promise = new Promise<T>((resolve, reject) => {
      this.racing = reject;
      value.then(resolve, reject);
    });
    this.racePromise = promise;
    return promise;
  }

  /** Frees the fast path of `race` if `promise` (settled) holds it; any other promise is ignored. */
  endRace(promise: Promise<unknown>): void {
    if (this.racePromise !== promise) return;
    this.racing = null;
    this.racePromise = null;
  }

  private raceListening<T>(value: PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const off = this.onAbort(reject);
      value.then(
        (v) => {
          off();
          resolve(v);
        },
        (e) => {
          off();
          reject(e);
        },
      );
    });
  }
}

function noop(): void {}
