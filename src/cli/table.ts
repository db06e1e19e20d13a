/**
 * Aligned plain-text tables: columns padded to their widest cell in terminal columns (colour
 * codes do not count, a CJK character or an emoji counts two), separated by two spaces, the last
 * column never padded.
 * @module
 */
import { visibleLength } from './style.js';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Spaces before every line. @default 0 */
  indent?: number;
  /** Transforms the header line (e.g. dims it). @default none */
  header?: (line: string) => string;
}

/** Renders rows under headers as aligned lines (no trailing spaces). */
export function renderTable(headers: string[], rows: string[][], options: TableOptions = {}): string[] {
  const all = [headers, ...rows];
  const widths = headers.map((_, col) => Math.max(...all.map((row) => visibleLength(row[col] ?? ''))));
  const prefix = ' '.repeat(options.indent ?? 0);
  const line = (row: string[]): string =>
    prefix +
    row
      .map((cell, col) =>
        col === row.length - 1 ? cell : cell + ' '.repeat((widths[col] ?? 0) - visibleLength(cell)),
      )
      .join('  ')
      .trimEnd();
  const head = line(headers);
  return [options.header ? options.header(head) : head, ...rows.map(line)];
}

/** Renders `label  value` pairs with the labels padded to one width. */
export function renderPairs(pairs: [string, string][], indent = 2): string[] {
  const width = Math.max(0, ...pairs.map(([label]) => visibleLength(label)));
  const prefix = ' '.repeat(indent);
  return pairs.map(([label, value]) =>
    `${prefix}${label}${' '.repeat(width - visibleLength(label))}  ${value}`.trimEnd(),
  );
}
