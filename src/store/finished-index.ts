/**
 * The memory store's finished executions, in the two orders it removes them in: the order they
 * finished (eviction past `maxFinished`) and their completion time (retention's `purgeFinished`).
 * Each removal is amortised O(1) for eviction and O(log n) for a purge, whatever else is kept: a
 * purge never reads the executions that are not old enough, and neither order keeps entries of
 * removed executions beyond a bounded share (see {@link STALE_SLACK}).
 * @module
 */
import { Fifo } from '../fifo.js';
import { MinHeap } from '../min-heap.js';

/** A finishing: `seq` tells which one when an id finished twice (deleted, then created again). */
interface Finished {
  id: string;
  seq: number;
}

/** A finishing with a completion time. */
interface Completion extends Finished {
  at: number;
}

/** By completion time, then in the order they finished. */
function byCompletion(a: Completion, b: Completion): number {
  return a.at - b.at || a.seq - b.seq;
}

/**
 * Entries kept for executions no longer finished here (evicted, purged, or a completion time an
 * update replaced) before both orders are rebuilt: when over this many and as many again as
 * there are finished executions, so each rebuild is paid for by the removals before it.
 */
export const STALE_SLACK = 1024;

/** The completion time an execution holds now (`undefined` when it is gone). */
export type CompletionTime = (id: string) => number | null | undefined;

/** See the module comment. */
export class FinishedIndex {
  /** Finished ids, with the sequence number of their finishing. */
  private readonly finished = new Map<string, number>();
  private seq = 0;
  /**
   * In the order they finished. A queue of its own, not the Map's order: V8 leaves deleted
   * entries at the front of a Map until it rehashes, so taking the first of a Map that is drained
   * from the front scans them. Purged ones stay until they come first or the queue is rebuilt.
   */
  private order = new Fifo<Finished>();
  /** Those with a completion time, oldest first; stale entries are skipped when they come first. */
  private completions = new MinHeap<Completion>(byCompletion);
  private readonly completedAt: CompletionTime;

  /** @param completedAt reads an execution's current completion time from the store. */
  constructor(completedAt: CompletionTime) {
    this.completedAt = completedAt;
  }

  /** Finished executions held. */
  get size(): number {
    return this.finished.size;
  }

  /** Entries held in the two orders, stale ones included (for tests of the bound). */
  get entries(): { order: number; completions: number } {
    return { order: this.order.size, completions: this.completions.size };
  }

  has(id: string): boolean {
    return this.finished.has(id);
  }

  /** Adds an execution that just finished, completed at `at` (null: unknown, never purged). */
  add(id: string, at: number | null | undefined): void {
    const seq = ++this.seq;
    this.finished.set(id, seq);
    this.order.push({ id, seq });
    if (at != null) this.completions.push({ id, seq, at });
    this.rebuildIfStale();
  }

  /** A finished execution was given completion time `at` (an update after it finished). */
  completedAtChanged(id: string, at: number): void {
    const seq = this.finished.get(id);
    if (seq !== undefined) this.completions.push({ id, seq, at });
  }

  /** Forgets an execution (evicted or purged); its entries in the two orders go stale. */
  delete(id: string): void {
    this.finished.delete(id);
  }

  /** The execution that finished first, removed from this index; undefined when none is left. */
  shiftOldest(): string | undefined {
    for (let entry = this.order.shift(); entry !== undefined; entry = this.order.shift()) {
      if (!this.isCurrent(entry)) continue;
      this.finished.delete(entry.id);
      return entry.id;
    }
    return undefined;
  }

  /**
   * Removes and returns the executions that completed first (in finishing order among equal
   * times) and before `before`, at most `limit`.
   */
  takeCompletedBefore(before: number, limit: number): string[] {
    const out: string[] = [];
    while (out.length < limit) {
      const next = this.completions.peek();
      if (next === undefined || !(next.at < before)) break;
      this.completions.pop();
      if (!this.isCurrent(next) || this.completedAt(next.id) !== next.at) continue;
      this.finished.delete(next.id);
      out.push(next.id);
    }
    this.rebuildIfStale();
    return out;
  }

  /** How many {@link takeCompletedBefore} would take with no limit (reads every kept execution). */
  countCompletedBefore(before: number): number {
    let n = 0;
    for (const id of this.finished.keys()) {
      const at = this.completedAt(id);
      if (at != null && at < before) n++;
    }
    return n;
  }

  private isCurrent(entry: Finished): boolean {
    return this.finished.get(entry.id) === entry.seq;
  }

  /** Rebuilds both orders from the finished executions once most of their entries are stale. */
  private rebuildIfStale(): void {
    const most = 2 * this.finished.size + STALE_SLACK;
    if (this.order.size <= most && this.completions.size <= most) return;
    const order = new Fifo<Finished>();
    const completions: Completion[] = [];
    for (const entry of this.order) {
      if (!this.isCurrent(entry)) continue;
      order.push(entry);
      const at = this.completedAt(entry.id);
      if (at != null) completions.push({ id: entry.id, seq: entry.seq, at });
    }
    this.order = order;
    this.completions = MinHeap.from(completions, byCompletion);
  }
}
