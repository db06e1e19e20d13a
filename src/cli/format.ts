/**
 * Small, pure formatting helpers for human output: durations, delays, times, rates and
 * one-line JSON previews.
 * @module
 */
import { percentText } from '../percent-text.js';
import { cutToWidth } from './display-width.js';

/** A duration for people: `8 ms`, `1.52 s`, `2m 03s`, `1h 05m`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  // The unit is picked after rounding to the precision shown in it: 999.6 ms read '1000 ms'.
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const centiseconds = Math.round(ms / 10);
  if (centiseconds < 6000) return `${(centiseconds / 100).toFixed(2)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    return `${m}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** A short delay in seconds without trailing zeros: `1s`, `0.05s`, `2.5s`. */
export function formatDelay(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))}s`;
}

/** Characters {@link formatElapsed} takes at most (the elapsed column of progress lines). */
export const ELAPSED_WIDTH = 8;

/**
 * Seconds since a start, for progress lines, in at most {@link ELAPSED_WIDTH} characters so that
 * the column holds on long runs: `+0.31s`, `+999.99s`, then fewer decimals (`+1000.5s`,
 * `+12346s`) and, from 1,000,000 s (11.6 days), days (`+11.6d`).
 */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  const fits = (text: string) => text.length <= ELAPSED_WIDTH - 2;
  for (const digits of [2, 1, 0]) {
    const text = seconds.toFixed(digits);
    if (fits(text)) return `+${text}s`;
  }
  const days = seconds / 86_400;
  const text = days.toFixed(1);
  return `+${fits(text) ? text : days.toFixed(0)}d`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** A local timestamp `YYYY-MM-DD HH:MM:SS`, or `-`. */
export function formatTime(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return '-';
  const d = `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
  return `${d} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/**
 * A fraction 0..1 as a percentage with one decimal: `75.0%` (`>99.9%` short of all, `<0.1%` above
 * none: see `percentText`).
 */
export function formatPercent(fraction: number): string {
  return `${percentText(fraction, 1)}%`;
}

/**
 * Cuts `text` to `max` terminal columns (a CJK character or an emoji takes two), ending with `…`
 * when cut; never splits a surrogate pair, nor a character from its combining marks.
 */
export function truncate(text: string, max: number): string {
  // Measured only as far as the cut (an output's preview may be megabytes of JSON).
  const whole = cutToWidth(text, Math.max(0, max));
  if (whole.length === text.length || max <= 1) return whole;
  return `${cutToWidth(whole, max - 1)}…`;
}

/**
 * Terminal columns a worker or node id takes at most in a table (`list`, `workers`): ids are
 * config of any length (a node id up to 512 characters), which would widen every row.
 */
export const ID_CELL_WIDTH = 40;

/** A worker or node id for a table cell: control characters escaped, cut to {@link ID_CELL_WIDTH} columns. */
export function idCell(id: string): string {
  return truncate(printable(id), ID_CELL_WIDTH);
}

/** One-line JSON of a value, cut to `max` terminal columns. */
export function jsonPreview(value: unknown, max = 100): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return truncate(printable(text), max);
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` safe for a terminal: control characters (an ANSI escape sequence in a handler's error
 * message, a carriage return, a newline) are shown as escapes (`\u001b`, `\n`) instead of moving
 * the cursor, recolouring or rewriting what was printed before; so are the bidirectional marks,
 * embeddings, overrides and isolates (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which would
 * show the text after them reordered (an id or a status that reads as another).
 */
export function printable(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export { plural } from '../plural.js';
