/**
 * Throughput and latency over recent time, for the overview charts: a ring of fixed-width
 * time buckets fed by `execution.finished` events. Each bucket counts finished executions
 * by outcome and keeps a bounded reservoir of their durations for the average and p95, so
 * memory stays fixed however many executions finish.
 * @module
 */

/** Options of {@link RecentSeries}. */
export interface RecentSeriesOptions {
  /** Width of one bucket, ms. @default 5000 */
  bucketMs?: number;
  /** Buckets kept (the window is `bucketMs × buckets`). @default 120 (10 minutes) */
  buckets?: number;
  /** Durations kept per bucket for the percentile. @default 256 */
  samplesPerBucket?: number;
}

interface Bucket {
  /**
   * Which bucket the slot holds: `floor(at / bucketMs)`, an integer; -1 while unused. Not its
   * start time: with a width of no whole number of ms (10.1), a start computed where a sample is
   * recorded and one computed where the window is read differ in their last bits.
   */
  index: number;
  completed: number;
  failed: number;
  cancelled: number;
  sum: number;
  count: number;
  samples: number[];
}

/** The chart data: parallel arrays, one entry per bucket, oldest first. */
export interface SeriesSnapshot {
  bucketMs: number;
  /** Bucket start, epoch seconds (uPlot's x values). */
  t: number[];
  completed: number[];
  failed: number[];
  cancelled: number[];
  /** Mean duration of the bucket's executions, ms; null when none finished. */
  avgMs: (number | null)[];
  /** 95th percentile of the bucket's durations, ms; null when none finished. */
  p95Ms: (number | null)[];
}

const emptyBucket = (): Bucket => ({
  index: -1,
  completed: 0,
  failed: 0,
  cancelled: 0,
  sum: 0,
  count: 0,
  samples: [],
});

/** A fixed-size ring of time buckets. */
export class RecentSeries {
  readonly bucketMs: number;
  private readonly ring: Bucket[];
  private readonly samplesPerBucket: number;

  constructor(options: RecentSeriesOptions = {}) {
    this.bucketMs = options.bucketMs ?? 5000;
    const size = options.buckets ?? 120;
    this.samplesPerBucket = options.samplesPerBucket ?? 256;
    this.ring = Array.from({ length: size }, emptyBucket);
  }

  /** Length of the window, ms. */
  get windowMs(): number {
    return this.bucketMs * this.ring.length;
  }

  /** Records one finished execution (`durationMs` null: counted by status, with no duration). */
  record(at: number, status: string, durationMs: number | null): void {
    const index = this.indexOf(at);
    const slot = this.slotOf(index);
    if (slot.index > index) return; // older than the window: the slot holds a newer bucket
    if (slot.index !== index) Object.assign(slot, emptyBucket(), { index });
    if (status === 'completed') slot.completed++;
    else if (status === 'failed') slot.failed++;
    else if (status === 'cancelled') slot.cancelled++;
    if (durationMs === null || !Number.isFinite(durationMs) || durationMs < 0) return;
    slot.sum += durationMs;
    slot.count++;
    if (slot.samples.length < this.samplesPerBucket) slot.samples.push(durationMs);
    else {
      // Reservoir sampling: every duration of the bucket has the same chance to be kept.
      const i = Math.floor(Math.random() * slot.count);
      if (i < this.samplesPerBucket) slot.samples[i] = durationMs;
    }
  }

  /** The window ending with the bucket that holds `now`. */
  snapshot(now: number): SeriesSnapshot {
    const size = this.ring.length;
    const last = this.indexOf(now);
    const out: SeriesSnapshot = {
      bucketMs: this.bucketMs,
      t: [],
      completed: [],
      failed: [],
      cancelled: [],
      avgMs: [],
      p95Ms: [],
    };
    for (let k = size - 1; k >= 0; k--) {
      const index = last - k;
      const slot = this.slotOf(index);
      const b = slot.index === index ? slot : null;
      out.t.push((index * this.bucketMs) / 1000);
      out.completed.push(b?.completed ?? 0);
      out.failed.push(b?.failed ?? 0);
      out.cancelled.push(b?.cancelled ?? 0);
      out.avgMs.push(b && b.count > 0 ? Math.round(b.sum / b.count) : null);
      out.p95Ms.push(b && b.samples.length > 0 ? percentile(b.samples, 95) : null);
    }
    return out;
  }

  /** The bucket holding time `at`: an integer, counted from the epoch. */
  private indexOf(at: number): number {
    return Math.floor(at / this.bucketMs);
  }

  /** The ring slot of bucket `index`. */
  private slotOf(index: number): Bucket {
    const size = this.ring.length;
    return this.ring[((index % size) + size) % size] as Bucket;
  }
}

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}
