/**
 * The resident set size of an engine row: sampled during the run, and read once more at its end.
 * @module
 */

/** Samples the RSS (bytes) on an interval and keeps the peak. */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly read: () => number = () => process.memoryUsage.rss()) {}

  /** Starts sampling every `intervalMs` (the peak restarts from the RSS now). */
  start(intervalMs = 20): void {
    this.peak = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Takes one sample. */
  sample(): void {
    const rss = this.read();
    if (rss > this.peak) this.peak = rss;
  }

  /** Stops sampling: the RSS now and the peak since `start`, which includes the RSS now. */
  stop(): { rss: number; peak: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const rss = this.read();
    if (rss > this.peak) this.peak = rss;
    return { rss, peak: this.peak };
  }
}
