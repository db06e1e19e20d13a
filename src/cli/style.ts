/**
 * ANSI colours for human output, on only when the stream is a TTY (and `NO_COLOR` is unset,
 * `TERM` is not `dumb`), or when `FORCE_COLOR` asks for them.
 * @module
 */
import { displayWidth } from './display-width.js';

/** Colour functions; each returns its text unchanged when colours are off. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const wrap =
  (enabled: boolean, open: number, close: number) =>
  (text: string): string =>
    enabled && text.length > 0 ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/** A style with colours on or off. */
export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    cyan: wrap(enabled, 36, 39),
  };
}

/** Whether to colour a stream, from its TTY state and the environment. */
export function colorsWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point.
const ANSI = /\u001b\[[0-9;]*m/g;

/** Text without ANSI colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Columns text takes as displayed (colour codes do not count; see `displayWidth`). */
export function visibleLength(text: string): number {
  return displayWidth(stripAnsi(text));
}

/** Colours a status word: green done, red failed, yellow in between. */
export function statusColor(style: Style, status: string): string {
  if (status === 'completed') return style.green(status);
  if (status === 'failed' || status === 'cancelled') return style.red(status);
  if (status === 'compensating' || status === 'waiting' || status === 'running') return style.yellow(status);
  return status;
}
