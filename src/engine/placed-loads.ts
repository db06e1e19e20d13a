/**
 * Fresh loads while placing elsewhere. A placement on another node counts there from the moment it
 * is chosen (`placement.ts`), and that count only drops when the stored loads are read again.
 * Read only in housekeeping (once per `sweepInterval`), a node that takes every submission (one
 * ingress: an HTTP endpoint, a single client) kept counting the executions it placed elsewhere
 * long after they ended there: the other nodes looked busy, its own load dropped as its executions
 * ended, and the work piled up on it (measured: 246 of 300 quickly ending executions on the
 * ingress of three nodes; 146 with the re-reads). So while this node places executions on others, the loads are re-read
 * at most every {@link REREAD_MS} (and no more often than housekeeping runs), one read at a time,
 * never on a submission's path: the read runs in the background and the next placements use it.
 *
 * A placement whose create is stored while a read is under way may be missing from what that read
 * answers (its snapshot may come first): measured as two serve nodes placing four executions 3 to
 * 1. Such a placement is added to the read's loads, and counted so until a read that started after
 * its create returned answers; when none is under way, one is started, whatever the gap.
 * @module
 */
import { intervalPassed } from '../clock.js';
import { toError } from '../errors.js';
import type { EngineContext } from './context.js';

/** The shortest gap between two reads of the loads made because of placements, ms. */
export const REREAD_MS = 50;

export class PlacedLoads {
  /** When the loads were last read (here or by housekeeping); null: never. */
  private readAt: number | null = null;
  private reading = false;
  /** Reads of the loads started so far (here or by housekeeping): the number of the latest one. */
  private begun = 0;
  /** The number of the read whose loads were applied last; 0: none yet. */
  private appliedRead = 0;
  /**
   * Placements elsewhere stored since the read applied last started: their node, and the number of
   * reads begun when their create returned (a read numbered higher started after it).
   */
  private stored: { node: string; afterRead: number }[] = [];
  /** Reads whose answer has not come yet. */
  private underWay = 0;
  private readonly ctx: EngineContext;
  private readonly apply: (loads: Record<string, number>) => void;
  private readonly stopped: () => boolean;

  /**
   * @param apply sets the balancer's loads from a read of `Store.loadByOwner`.
   * @param stopped whether housekeeping stopped (the node is closing): no read then.
   */
  constructor(ctx: EngineContext, apply: (loads: Record<string, number>) => void, stopped: () => boolean) {
    this.ctx = ctx;
    this.apply = apply;
    this.stopped = stopped;
  }

  /** Housekeeping read the loads at `now`. */
  noteRead(now: number): void {
    this.readAt = now;
  }

  /**
   * Reads the stored loads (`Store.loadByOwner`), here or for housekeeping: the loads, or null when
   * a read that started later was applied meanwhile. Two reads overlap (a background one and
   * housekeeping's): the one that started first may answer last, with older loads than those
   * already applied; those are dropped, or the placements would follow the older loads until the
   * next read. Loads returned count as the latest applied.
   */
  async read(): Promise<Record<string, number> | null> {
    const read = ++this.begun;
    this.underWay++;
    let stored: Record<string, number>;
    try {
      stored = await this.ctx.store.loadByOwner();
    } catch (error) {
      // With no read under way, the next to apply starts after every placement but one stored from
      // now: the others are not needed any more (or a store whose reads keep failing would keep
      // every placement elsewhere).
      if (--this.underWay === 0) this.stored = this.stored.filter((p) => p.afterRead >= this.begun);
      throw error;
    }
    this.underWay--;
    if (read < this.appliedRead) return null;
    this.appliedRead = read;
    // Placements stored before this read started are in its loads; the later ones may not be.
    this.stored = this.stored.filter((p) => p.afterRead >= read);
    if (this.stored.length === 0) return stored;
    const loads = { ...stored };
    for (const { node } of this.stored)
      loads[node] = (Object.hasOwn(loads, node) ? (loads[node] ?? 0) : 0) + 1;
    return loads;
  }

  /** An execution was stored as `node`'s: re-reads the loads if the last read is old enough. */
  placedElsewhere(node: string): void {
    this.stored.push({ node, afterRead: this.begun });
    this.readInBackground(false);
  }

  /**
   * After a read: when a placement stored after the latest read began may be missing from the loads
   * applied, and no read began since, one is started now, whatever the gap (the placement would
   * otherwise count twice, or, once that read's loads are applied, not at all, until the next
   * placement elsewhere or housekeeping).
   */
  readAgainIfMissed(): void {
    const last = this.stored.at(-1);
    if (last !== undefined && last.afterRead >= this.begun) this.readInBackground(true);
  }

  /** Reads the loads in the background, unless one is under way, or the last is recent and not `force`. */
  private readInBackground(force: boolean): void {
    const { ctx } = this;
    if (this.reading || this.stopped()) return;
    const now = ctx.clock.now();
    const gap = Math.min(REREAD_MS, ctx.config.sweepInterval * 1000);
    if (!force && this.readAt !== null && !intervalPassed(now, this.readAt, gap)) return;
    this.reading = true;
    this.readAt = now;
    // Off the submission's path: a store that throws at once, or loads the balancer refuses,
    // are logged like a failed read, never thrown into the submission nor left unhandled.
    Promise.resolve()
      .then(() => this.read())
      .then((loads) => {
        if (loads !== null && !this.stopped()) this.apply(loads);
      })
      // Housekeeping reads them again on its next round.
      .catch((error: unknown) =>
        ctx.logger.debug({ err: toError(error) }, 'reading the cluster loads failed'),
      )
      .finally(() => {
        this.reading = false;
        this.readAgainIfMissed();
      });
  }
}
