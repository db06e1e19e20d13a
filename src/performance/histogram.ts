/**
 * A duration histogram in milliseconds over hdr-histogram-js, with bounded memory.
 *
 * Values are recorded in whole microseconds (so fractions of a millisecond count) into a
 * packed-array HDR histogram with 2 significant digits (relative error under 1%) and a
 * trackable range of 1 µs to 1e9 s (the longest timeout a definition or the config takes: an
 * execution with a `delay` step of days lasts days, and a 24 h cap made its p95 a day); longer
 * durations, up to {@link MAX_DURATION_MS}, go to a coarser overflow histogram made on the first
 * (counted in units of 1,000 s by default, at the same relative precision). Count,
 * sum, min and max are kept exactly beside it, and percentiles are clamped to [min, max] so
 * `p99 <= max` always holds.
 *
 * Memory, measured on Node 20 (heap + external after GC, 1,000 histograms):
 * - packed, 2 digits, 1 µs .. 24 h range: 1.5 MB empty, 4.9 MB after 20k log-normal samples each
 *   (median 50 ms), 17 MB in the worst case (samples spread evenly over the whole range);
 * - the same over the 1 µs .. 1e9 s range used: as much empty and typical (the packed array holds
 *   only the buckets used), 27 MB in the worst case (samples spread evenly over all of it);
 * - for comparison, packed 3 digits: 26 MB typical / 110 MB worst; flat 32-bit counts, 2 digits:
 *   16.6 MB whatever is recorded.
 * Beside the HDR counts a count per block of 64 buckets (0.9 KB) lets a percentile read skip to
 * its block: reading a packed count costs ~0.6 µs, and the HDR histogram's own percentile, a walk
 * from the lowest bucket, took 1-2.5 ms (now ~40 µs). So one histogram costs about 2.4 KB empty,
 * ~6 KB typical, ≤ 28 KB worst case. Recording runs at about 2.4M values/s in packed mode. Equal
 * values in a row (durations from a millisecond clock mostly are) are counted first and reach the
 * HDR histogram as one `recordValueWithCount`, on the next different value or before any
 * percentile is read.
 *
 * The first {@link EXACT_SAMPLES} values are also kept as they are, and while there are no more
 * the percentiles are exact (nearest rank): with few samples an HDR bucket's edge (1,507.3 ms for
 * a recorded 1,500) would be a value nobody measured. The list is dropped past them.
 * @module
 */
import { PackedHistogram } from 'hdr-histogram-js';

/** Options of {@link DurationHistogram}. */
export interface DurationHistogramOptions {
  /**
   * Largest duration in ms the fine HDR histogram tracks; longer ones go to a coarser one (counted
   * in units of `maxMs / 1e6`, at least 1 ms, created on the first), with the same relative precision.
   * @default 1e12 (1e9 s, the longest timeout a definition takes)
   */
  maxMs?: number;
  /** HDR value precision in significant decimal digits. @default 2 */
  significantDigits?: 1 | 2 | 3;
}

/** 1e9 s in ms: `MAX_SECONDS` of `definition/schema.ts`, the longest timeout anything takes. */
const DEFAULT_MAX_MS = 1e12;

/**
 * Longest duration counted, ms (about 285,000 years): a longer one (a caller's unit slip, a clock
 * jump) counts as this, so sums of durations, and the means and shares taken of them, stay finite.
 */
export const MAX_DURATION_MS = Number.MAX_SAFE_INTEGER;

/** `ms` (finite) as counted: at least 0, at most {@link MAX_DURATION_MS}. */
export function countedMs(ms: number): number {
  return Math.min(Math.max(ms, 0), MAX_DURATION_MS);
}

/**
 * The overflow histogram's unit is `maxMs` over this (1e6 ms by default), at least 1 ms: it counts
 * durations over `maxMs` (by default 1e12 ms, over 31 years: a clock jump, a unit slip) up to
 * {@link MAX_DURATION_MS} in whole units. They were clamped to `maxMs`, and every percentile of
 * such durations read as their minimum.
 */
const OVERFLOW_UNITS_PER_MAX = 1e6;

/** Up to this many recorded values, percentiles are computed exactly from the values themselves. */
export const EXACT_SAMPLES = 64;

/**
 * HDR buckets per block of {@link DurationHistogram}'s block counts (a power of two): a percentile
 * read sums the blocks, then reads the counts of one block's buckets at most.
 */
const BLOCK_BITS = 6;

/** Durations in ms: exact count/sum/min/max, HDR percentiles. */
export class DurationHistogram {
  private readonly hdr: PackedHistogram;
  /** Recorded values per block of 64 HDR buckets (89 blocks): a read looks at 64 packed counts at most. */
  private readonly blocks: Float64Array;
  private readonly maxUs: number;
  private n = 0;
  private total = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = 0;
  /** A run of equal values not yet in `hdr`: the value (µs) and how many times it was recorded. */
  private runUs = 0;
  private runCount = 0;
  /** The values recorded (as they are: no `maxMs` clamp) while there are at most {@link EXACT_SAMPLES}; else null. */
  private exact: number[] | null = [];
  /** Durations over `maxMs`, in units of `overflowUnitMs`: null until the first. */
  private overflow: PackedHistogram | null = null;
  private readonly overflowUnitMs: number;
  private overflowCount = 0;
  private overflowLowest = Number.POSITIVE_INFINITY;
  private readonly digits: 1 | 2 | 3;

  constructor(options: DurationHistogramOptions = {}) {
    const { maxMs = DEFAULT_MAX_MS, significantDigits = 2 } = options;
    this.maxUs = Math.max(2, Math.round(maxMs * 1000));
    this.digits = significantDigits;
    this.overflowUnitMs = Math.max(1, maxMs / OVERFLOW_UNITS_PER_MAX);
    this.hdr = new PackedHistogram(1, this.maxUs, significantDigits);
    this.blocks = new Float64Array((this.hdr.countsArrayLength >> BLOCK_BITS) + 1);
  }

  /**
   * Records one duration in ms. NaN and ±Infinity are ignored, a negative duration counts as 0,
   * one above {@link MAX_DURATION_MS} as that, and one above `maxMs` goes to the overflow histogram
   * (never thrown); count/sum/min/max and the exact percentiles of the first {@link EXACT_SAMPLES}
   * stay exact.
   */
  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const value = countedMs(ms);
    const us = Math.round(value * 1000);
    if (this.exact !== null) {
      if (this.exact.length < EXACT_SAMPLES) this.exact.push(value);
      else this.exact = null;
    }
    if (us > this.maxUs) this.recordOverflow(value);
    else if (us === this.runUs) this.runCount++;
    else {
      this.flushRun();
      this.runUs = us;
      this.runCount = 1;
    }
    this.n++;
    this.total += value;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }

  /** Number of recorded durations. */
  get count(): number {
    return this.n;
  }

  /** Sum of recorded durations, ms. */
  get sum(): number {
    return this.total;
  }

  /** Smallest recorded duration, ms (0 when empty). */
  get min(): number {
    return this.n === 0 ? 0 : this.lo;
  }

  /** Largest recorded duration, ms (0 when empty). */
  get max(): number {
    return this.hi;
  }

  /** Mean of recorded durations, ms (0 when empty). */
  get mean(): number {
    return this.n === 0 ? 0 : this.total / this.n;
  }

  /**
   * The duration, in ms, that `p` percent of the recorded ones are at or below (within HDR
   * precision), clamped to [min, max]. 0 when empty.
   * @param p Percentile, 0..100.
   */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    const ms = this.exact !== null ? nearestRank(this.exact, p) : this.hdrPercentile(p);
    if (ms < this.lo) return this.lo;
    return Math.min(ms, this.hi);
  }

  /** Forgets every recorded duration. */
  reset(): void {
    this.hdr.reset();
    this.blocks.fill(0);
    this.exact = [];
    this.overflow = null;
    this.overflowCount = 0;
    this.overflowLowest = Number.POSITIVE_INFINITY;
    this.runCount = 0;
    this.n = 0;
    this.total = 0;
    this.lo = Number.POSITIVE_INFINITY;
    this.hi = 0;
  }

  /**
   * The HDR bucket of the nearest-rank value, as `getValueAtPercentile` answers it (its highest
   * equivalent value; its lowest for `p` 0), found through the block counts.
   */
  private hdrPercentile(p: number): number {
    this.flushRun();
    const rank = rankOf(p, this.n);
    const fine = this.n - this.overflowCount;
    if (rank > fine) return this.overflowPercentile(rank - fine, p);
    let seen = 0;
    let block = 0;
    while (block < this.blocks.length - 1 && seen + (this.blocks[block] as number) < rank) {
      seen += this.blocks[block] as number;
      block++;
    }
    const end = Math.min(this.hdr.countsArrayLength, (block + 1) << BLOCK_BITS);
    let index = block << BLOCK_BITS;
    for (; index < end - 1; index++) {
      seen += this.hdr.getCountAtIndex(index);
      if (seen >= rank) break;
    }
    const us = this.hdr.valueFromIndex(index);
    return (p === 0 ? this.hdr.lowestEquivalentValue(us) : this.hdr.highestEquivalentValue(us)) / 1000;
  }

  private recordOverflow(ms: number): void {
    const units = Math.max(1, Math.round(ms / this.overflowUnitMs));
    this.overflow ??= new PackedHistogram(1, Math.ceil(MAX_DURATION_MS / this.overflowUnitMs), this.digits);
    this.overflow.recordValue(units);
    this.overflowCount++;
    if (units < this.overflowLowest) this.overflowLowest = units;
  }

  /** The `rank`th (1-based) of the overflow durations, ms, as {@link hdrPercentile} reads a bucket. */
  private overflowPercentile(rank: number, p: number): number {
    const hdr = this.overflow as PackedHistogram;
    let seen = 0;
    // From the lowest one's bucket: the buckets below the fine histogram's range are empty.
    let index = hdr.countsArrayIndex(this.overflowLowest);
    for (; index < hdr.countsArrayLength - 1; index++) {
      seen += hdr.getCountAtIndex(index);
      if (seen >= rank) break;
    }
    const units = hdr.valueFromIndex(index);
    const edge = p === 0 ? hdr.lowestEquivalentValue(units) : hdr.highestEquivalentValue(units);
    return edge * this.overflowUnitMs;
  }

  private flushRun(): void {
    if (this.runCount === 0) return;
    // recordValueWithCount's steps, its index computed once for the block too (`runUs` is within
    // the trackable range: one over `maxUs` goes to the overflow histogram in `record`).
    const index = this.hdr.countsArrayIndex(this.runUs);
    this.hdr.addToCountAtIndex(index, this.runCount);
    this.hdr.updateMinAndMax(this.runUs);
    this.hdr.addToTotalCount(this.runCount);
    const block = index >> BLOCK_BITS;
    this.blocks[block] = (this.blocks[block] ?? 0) + this.runCount;
    this.runCount = 0;
  }
}

/** The nearest rank (1..n) of percentile `p` among `n` values, HDR's definition. */
function rankOf(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
}

/** The value `p` percent of `values` are at or below: the nearest rank. Sorts `values`. */
function nearestRank(values: number[], p: number): number {
  values.sort((a, b) => a - b);
  return values[rankOf(p, values.length) - 1] as number;
}
