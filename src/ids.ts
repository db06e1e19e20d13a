/**
 * Execution ids: time-ordered (so newest-first listings and FIFO claims agree with ids),
 * unique across nodes, URL-safe.
 * @module
 */
import { randomBytes } from 'node:crypto';

let counter = 0;
let lastMs = 0;

/** `exec_` + 9 base-36 chars of time + 4 of a per-millisecond counter + 8 random hex. */
export function newExecutionId(nowMs: number): string {
  if (nowMs !== lastMs) {
    lastMs = nowMs;
    counter = 0;
  }
  counter = (counter + 1) % 1_679_616;
  const time = Math.max(0, Math.floor(nowMs)).toString(36).padStart(9, '0');
  return `exec_${time}${counter.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
}
