import { describe, expect, it } from 'vitest';
import {
  formatDelay,
  formatDuration,
  formatElapsed,
  formatPercent,
  formatTime,
  jsonPreview,
  plural,
  printable,
  truncate,
} from '../../../src/cli/format.js';

describe('formatDuration', () => {
  it('uses ms under a second, seconds under a minute, then minutes and hours', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(7.4)).toBe('7 ms');
    expect(formatDuration(999)).toBe('999 ms');
    expect(formatDuration(1520)).toBe('1.52 s');
    expect(formatDuration(59_990)).toBe('59.99 s');
    expect(formatDuration(123_000)).toBe('2m 03s');
    expect(formatDuration(3_900_000)).toBe('1h 05m');
  });

  it('carries a duration that rounds up to the next unit into it', () => {
    // 999.6 ms read '1000 ms' and 59.996 s '60.00 s'.
    expect([999.6, 59_996, 3_599_600].map((ms) => formatDuration(ms))).toEqual([
      '1.00 s',
      '1m 00s',
      '1h 00m',
    ]);
    expect([999.4, 59_994].map((ms) => formatDuration(ms))).toEqual(['999 ms', '59.99 s']);
  });

  it('shows a dash for missing or nonsense values', () => {
    expect(formatDuration(undefined)).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('-');
    expect(formatDuration(-5)).toBe('-');
  });
});

describe('small formats', () => {
  it('formats delays without trailing zeros', () => {
    expect(formatDelay(1000)).toBe('1s');
    expect(formatDelay(50)).toBe('0.05s');
    expect(formatDelay(2500)).toBe('2.5s');
  });

  it('formats elapsed time with a sign and two decimals', () => {
    expect(formatElapsed(310)).toBe('+0.31s');
    expect(formatElapsed(-4)).toBe('+0.00s');
  });

  it('formats local times and percentages', () => {
    expect(formatTime(new Date(2025, 0, 2, 3, 4, 5))).toBe('2025-01-02 03:04:05');
    expect(formatTime(undefined)).toBe('-');
    expect(formatTime(new Date(Number.NaN))).toBe('-');
    expect(formatPercent(0.75)).toBe('75.0%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(1)).toBe('100.0%');
    // Short of all, or above none, is never shown as all or none.
    expect(formatPercent(0.9996)).toBe('>99.9%');
    expect(formatPercent(0.0001)).toBe('<0.1%');
    expect(formatPercent(0.9994)).toBe('99.9%');
    expect(formatPercent(0.0005)).toBe('0.1%');
  });

  // An emoji (a surrogate pair) whose first half was the last character kept: slice() left that
  // half alone before the ellipsis, printed as U+FFFD; the cut now leaves the emoji out.
  it('truncates without splitting an emoji', () => {
    expect(truncate('abc😀def', 5)).toBe('abc…');
    expect(truncate('ab😀def', 5)).toBe('ab😀…');
    expect(jsonPreview({ s: '😀😀😀😀😀' }, 10)).toBe('{"s":"😀…');
    expect(truncate('😀x', 1)).toBe('');
  });

  it('truncates with an ellipsis and previews JSON on one line', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(jsonPreview({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(jsonPreview('x'.repeat(200), 10)).toHaveLength(10);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonPreview(cyclic)).toBe('[object Object]');
    expect(jsonPreview(undefined)).toBe('undefined');
  });

  it('pluralises', () => {
    expect(plural(1, 'step')).toBe('1 step');
    expect(plural(3, 'step')).toBe('3 steps');
    expect(plural(2, 'retry', 'retries')).toBe('2 retries');
  });
});

describe('printable', () => {
  it('escapes C0 and C1 control characters and line separators, and keeps other text', () => {
    expect(printable('a\u001b[31mb\u009bc\u0000d\u2028e')).toBe('a\\u001b[31mb\\u009bc\\u0000d\\u2028e');
    expect(printable('one\ntwo\tthree\r')).toBe('one\\ntwo\\tthree\\r');
    expect(printable('héllo ✓ 日本')).toBe('héllo ✓ 日本');
    // Bidirectional controls would show what follows them reordered ('deliaf' read as 'failed').
    expect(printable('ok \u202edeliaf\u202c \u2066x\u2069 \u200e\u200f')).toBe(
      'ok \\u202edeliaf\\u202c \\u2066x\\u2069 \\u200e\\u200f',
    );
    expect(printable('שלום עולם')).toBe('שלום עולם');
  });
});
