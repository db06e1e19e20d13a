/**
 * The write side of the PostgreSQL store: K group-commit **lanes** (`writeLanes`) that commit
 * concurrently, each its own transaction on a connection of its own.
 *
 * One lane commits one batch at a time: while its transaction runs, the writes queued meanwhile
 * wait for the next one. With several lanes, the executions are split between them and their
 * batches commit at the same time, so a server with cores to spare, or a network round trip that
 * dominates a commit, does not hold every write up. Each lane's batches are smaller, though, and
 * a batch costs the database a fixed amount besides its rows: on a small machine that runs the
 * database too, one lane is fastest (see docs/performance.md).
 *
 * Routing keeps every guarantee that depends on order:
 * - the writes of one execution (create, updates, cancel request) all go to the lane
 *   `hash(id) % K`, so they are applied in call order, as with one queue;
 * - writes that name no execution (claims, lease renewals and releases, heartbeats, node
 *   removals, definitions) go to lane 0, in call order among themselves;
 * - creates that share an idempotency key are applied in call order (the first caller's id
 *   wins): a create whose key is still being written by an earlier create waits until that one
 *   committed, and the later writes of its execution queue behind it.
 *
 * Writes of different executions in different lanes commit in any order. Nothing observable
 * depends on it: each caller learns of its write only after the commit, and a lane-0 write racing
 * a lane-k update of the same row (a claim taking an execution over, a lease renewal) is
 * serialized by PostgreSQL's row lock; the update is a compare-and-set on the epoch, so it is
 * refused with `LeaseLostError` if the claim committed first (fencing), as across nodes.
 * Every lane waits for row locks in id order (see `plan.ts`, `statements.ts`): with several lanes
 * a batched update locks its rows in id order first, whatever join the planner picks, as renewals
 * and releases do, and a batch of several row-locking statements first locks every row it will
 * wait for in one statement (`rowLocks`), so lanes committing at the same time do not deadlock
 * one another.
 * @module
 */
import { GroupCommit, type GroupCommitStats, type Outcome } from '../group-commit.js';
import { mergeOps, type Op, opKey } from './operations.js';

/** The execution a write belongs to, if any. */
function executionOf(op: Op): string | undefined {
  return op.kind === 'create' || op.kind === 'update' || op.kind === 'cancel' ? op.id : undefined;
}

/** Lane of an execution: FNV-1a of its id, modulo the lane count. */
export function laneOf(id: string, lanes: number): number {
  if (lanes === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % lanes;
}

/** Runs ONE transaction over a lane's batch (see `batch-commit.ts`). */
export type LaneCommit = (batch: readonly Op[], lane: number) => Promise<Outcome[]>;

/** See the module comment. */
export class WriteLanes {
  private readonly lanes: GroupCommit<Op>[];
  /** Per idempotency key: settles when the last create with that key was committed (or failed). */
  private readonly keyTails = new Map<string, Promise<unknown>>();
  /** Executions whose create waits for an earlier same-key create: their later writes, in order. */
  private readonly held = new Map<string, (() => void)[]>();

  /**
   * @param count lanes (≥ 1).
   * @param commit runs ONE transaction over a lane's batch.
   */
  constructor(count: number, commit: LaneCommit) {
    this.lanes = Array.from(
      { length: count },
      (_, lane) =>
        new GroupCommit<Op>({ commit: (batch) => commit(batch, lane), key: opKey, merge: mergeOps }),
    );
  }

  /** Number of lanes. */
  get count(): number {
    return this.lanes.length;
  }

  /** Queues `op` in its lane; settles after the transaction that carries it committed. */
  enqueue(op: Op): Promise<unknown> {
    const id = executionOf(op);
    if (id === undefined) return this.lanes[0]!.enqueue(op);
    const lane = this.lanes[laneOf(id, this.lanes.length)]!;
    const waiting = this.held.get(id);
    if (waiting) {
      return new Promise((resolve, reject) => {
        waiting.push(() => lane.enqueue(op).then(resolve, reject));
      });
    }
    if (op.kind !== 'create' || op.key === null) return lane.enqueue(op);
    const key = op.key;
    const before = this.keyTails.get(key);
    let result: Promise<unknown>;
    if (before === undefined) {
      result = lane.enqueue(op);
    } else {
      // An earlier create with this key is in flight: this one runs once it committed, so it sees
      // the holder; writes of this execution issued meanwhile follow it, in call order.
      const queue: (() => void)[] = [];
      this.held.set(id, queue);
      result = before.then(() => {
        const own = lane.enqueue(op);
        this.held.delete(id);
        for (const run of queue) run();
        return own;
      });
    }
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.keyTails.set(key, tail);
    void tail.then(() => {
      if (this.keyTails.get(key) === tail) this.keyTails.delete(key);
    });
    return result;
  }

  /** Counters summed over the lanes. */
  get stats(): GroupCommitStats {
    const total: GroupCommitStats = { flushes: 0, operations: 0, merged: 0 };
    for (const lane of this.lanes) {
      const s = lane.stats;
      total.flushes += s.flushes;
      total.operations += s.operations;
      total.merged += s.merged;
    }
    return total;
  }

  /** Waits for the creates held behind a same-key create, then refuses new writes and flushes every lane. */
  async close(): Promise<void> {
    while (this.keyTails.size > 0) await Promise.all(this.keyTails.values());
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }
}
