/**
 * Where the default loggers write their JSON lines: a file descriptor (stderr).
 *
 * pino's own `pino.destination()` (sonic-boom, asynchronous) fails badly on an output that cannot
 * be written (a full disk, `ENOSPC`; an I/O error; a closed descriptor): the first failed write
 * crashes the process with an unhandled `'error'`, and the flush it runs as the process exits
 * retries the failed write every 100 ms for ever, so the process never ends (`serve` with its log
 * on a full disk did not stop on SIGTERM). And a line still queued for its thread pool when the
 * process exits may be lost.
 *
 * This one writes each line at once, synchronously, as Node.js writes `process.stderr` on Linux
 * (a file, a terminal or a pipe; a blocking pipe whose reader stopped makes the write wait, as it
 * makes `console.error` wait). It never throws: a line the descriptor refuses is dropped and
 * counted. A descriptor that is full for now (`EAGAIN`: a non-blocking pipe whose reader is behind)
 * gets what is left queued, in order, and tried again every 100 ms; lines beyond a bound on what
 * waits are dropped and counted too. The next line that is written after a loss is preceded by a
 * warning line saying how many were lost and why. As the process exits, what still waits gets one
 * bounded last attempt.
 * @module
 */
import { writeSync } from 'node:fs';

/** Errors that say "not now" rather than "never": the line waits and is tried again. */
const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EINTR']);

/** Pause before trying a full descriptor again, ms. */
const RETRY_MS = 100;

/** How long the last attempt at exit keeps trying a full descriptor, ms (10 ms apart). */
const DEFAULT_EXIT_WAIT_MS = 200;

/** What may wait to be written, in bytes, before further lines are dropped (16 MiB). */
const DEFAULT_MAX_PENDING = 16 * 1024 * 1024;

/** Options of {@link FdDestination}. */
export interface FdDestinationOptions {
  /** @default 2 (stderr) */
  fd?: number;
  /** Bytes waiting to be written beyond which new lines are dropped. @default 16 MiB */
  maxPending?: number;
  /** How long {@link FdDestination.flushSync} keeps trying a full descriptor, ms. @default 200 */
  exitWaitMs?: number;
}

/** Blocks the thread for `ms` (only at exit, when nothing else can run anyway). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A pino destination on one file descriptor; see the module comment. */
export class FdDestination {
  private readonly fd: number;
  private readonly maxPending: number;
  private readonly exitTries: number;
  /** What waits, oldest first; the first may be the rest of a line written in part. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Lines lost since the last warning was written, and the last reason. */
  private lost = 0;
  private lostWhy = '';
  private idleWaiters: (() => void)[] = [];

  constructor(options: FdDestinationOptions = {}) {
    this.fd = options.fd ?? 2;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.exitTries = Math.ceil((options.exitWaitMs ?? DEFAULT_EXIT_WAIT_MS) / 10);
  }

  /** Lines lost so far and not yet reported by a written warning. */
  get droppedLines(): number {
    return this.lost;
  }

  /** Takes one log line (pino's destination interface). Never throws. */
  write(line: string): boolean {
    if (this.pending.length > 0) {
      const data = Buffer.from(line);
      if (this.pendingBytes + data.length > this.maxPending) {
        this.lose(1, 'more was waiting to be written than the log holds');
      } else {
        this.pending.push(data);
        this.pendingBytes += data.length;
      }
      return true;
    }
    // A warning held back (a full pipe) goes first; one refused is simply not written.
    if (this.lost > 0 && !this.send(Buffer.from(this.warning()), true) && this.pending.length > 0) {
      this.queue(Buffer.from(line));
      return true;
    }
    this.send(Buffer.from(line), false);
    return true;
  }

  /** Calls `done` once everything taken so far was written or dropped (pino's `logger.flush`). */
  flush(done?: (error?: Error) => void): void {
    if (done) this.whenIdle(() => done());
  }

  /** Resolves once everything taken so far was written or dropped, or after `maxMs`. */
  written(maxMs = 1000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.whenIdle(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Calls `idle` once nothing waits (at once if nothing does). */
  private whenIdle(idle: () => void): void {
    if (this.pending.length === 0) idle();
    else this.idleWaiters.push(idle);
  }

  /**
   * Writes what waits, for a process about to end, then the warning about lines lost since the
   * last one: a full descriptor is tried for `exitWaitMs`, every 10 ms; any other failure ends
   * the attempt. Never throws.
   */
  flushSync(): void {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    for (let tries = 0; this.pending.length > 0 && tries < this.exitTries; tries++) {
      this.drain();
      if (this.pending.length > 0) pause(10);
    }
    // Lines lost and not reported yet: no later line will carry the warning.
    if (this.pending.length === 0 && this.lost > 0) this.send(Buffer.from(this.warning()), true);
  }

  /**
   * Writes `data` now; what the descriptor cannot take for now is queued (a warning too: it is
   * then counted as written, the lost lines it reports no longer). Whether it was written whole.
   */
  private send(data: Buffer, isWarning: boolean): boolean {
    const written = this.tryWrite(data);
    if (typeof written === 'string') {
      if (TRANSIENT.has(written)) {
        if (isWarning) this.lost = 0;
        this.queue(data);
      } else if (!isWarning) {
        this.lose(1, `the log could not be written (${written})`);
      }
      return false;
    }
    if (isWarning) this.lost = 0;
    if (written < data.length) {
      this.queue(data.subarray(written));
      return false;
    }
    return true;
  }

  /** The bytes of `data` the descriptor took, or the error code it answered with. */
  private tryWrite(data: Buffer): number | string {
    try {
      return writeSync(this.fd, data);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? 'EIO';
    }
  }

  private queue(data: Buffer): void {
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.retryLater();
  }

  /** Tries what waits again after {@link RETRY_MS} (the timer does not keep the process alive). */
  private retryLater(): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.drain();
      if (this.pending.length > 0) this.retryLater();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  /** Writes what waits, in order, until the descriptor is full again or refuses it. */
  private drain(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0]!;
      const written = this.tryWrite(head);
      if (typeof written === 'string') {
        if (TRANSIENT.has(written)) return;
        this.lose(this.pending.length, `the log could not be written (${written})`);
        this.pending = [];
        this.pendingBytes = 0;
        break;
      }
      this.pendingBytes -= written;
      if (written < head.length) {
        this.pending[0] = head.subarray(written);
        return;
      }
      this.pending.shift();
    }
    if (this.pending.length === 0) {
      this.pendingBytes = 0;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  private lose(lines: number, why: string): void {
    this.lost += lines;
    this.lostWhy = why;
  }

  /** The line that reports the lines lost since the last one. */
  private warning(): string {
    const lost = this.lost;
    return `${JSON.stringify({
      level: 40,
      time: Date.now(),
      name: 'orchestrator',
      msg: `${lost} log line${lost === 1 ? ' was' : 's were'} lost: ${this.lostWhy}`,
    })}\n`;
  }
}

let stderr: FdDestination | null = null;

/**
 * The process's one destination on stderr, shared by every default logger; what it still holds
 * is written as the process exits.
 */
export function stderrDestination(): FdDestination {
  if (stderr === null) {
    const destination = new FdDestination();
    process.once('exit', () => destination.flushSync());
    stderr = destination;
  }
  return stderr;
}
