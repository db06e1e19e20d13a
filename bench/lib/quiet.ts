/**
 * Waiting for a quiet machine: the bench shares 2 cores with whatever else runs (test suites,
 * builds), and a busy neighbour halves a row's throughput. `waitForQuiet` samples the CPU use of
 * the whole machine from `/proc/stat` (Linux) while this process sleeps, and returns once it stays
 * below a threshold for one sample, or when the time limit is reached.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function cpuTimes(): { busy: number; total: number } | null {
  if (!existsSync('/proc/stat')) return null;
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 5) return null;
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Fraction of all CPUs busy over the next `ms` milliseconds (null where `/proc/stat` is missing). */
export async function cpuBusy(ms = 2000): Promise<number | null> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  if (!a || !b || b.total === a.total) return null;
  return (b.busy - a.busy) / (b.total - a.total);
}

/**
 * Waits until the machine's CPU use is below `maxBusy` (0..1) over a 2 s sample, for at most
 * `timeoutS` seconds. Returns the last sample (what the row started under).
 */
export async function waitForQuiet(
  maxBusy: number,
  timeoutS: number,
  log: (msg: string) => void,
): Promise<number | null> {
  const until = Date.now() + timeoutS * 1000;
  let busy = await cpuBusy();
  let warned = false;
  while (busy !== null && busy > maxBusy && Date.now() < until) {
    if (!warned)
      log(
        `machine busy (${Math.round(busy * 100)}% CPU): waiting up to ${timeoutS}s for < ${Math.round(maxBusy * 100)}%`,
      );
    warned = true;
    busy = await cpuBusy();
  }
  if (warned) log(`CPU ${busy === null ? '?' : Math.round(busy * 100)}%: going on`);
  return busy;
}
