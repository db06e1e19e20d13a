import { describe, expect, it } from 'vitest';
import { colorsWanted, createStyle, statusColor, stripAnsi, visibleLength } from '../../../src/cli/style.js';
import { renderPairs, renderTable } from '../../../src/cli/table.js';

describe('renderTable', () => {
  it('pads every column but the last to its widest cell, two spaces apart', () => {
    expect(
      renderTable(
        ['ID', 'STATUS', 'NOTE'],
        [
          ['a', 'completed', ''],
          ['long-id', 'failed', 'boom'],
        ],
      ),
    ).toEqual(['ID       STATUS     NOTE', 'a        completed', 'long-id  failed     boom']);
  });

  it('ignores colour codes when measuring, indents and styles the header', () => {
    const style = createStyle(true);
    const lines = renderTable(['S', 'X'], [[style.green('ok'), 'y']], { indent: 2, header: (l) => `[${l}]` });
    expect(lines.map(stripAnsi)).toEqual(['[  S   X]', '  ok  y']);
  });

  it('renders aligned label/value pairs', () => {
    expect(
      renderPairs([
        ['kind', 'sqlite'],
        ['file', '/x'],
        ['a', ''],
      ]),
    ).toEqual(['  kind  sqlite', '  file  /x', '  a']);
  });
});

describe('style', () => {
  it('colours only when enabled', () => {
    expect(createStyle(false).red('x')).toBe('x');
    expect(createStyle(true).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(visibleLength(createStyle(true).bold('abc'))).toBe(3);
    expect(statusColor(createStyle(true), 'completed')).toContain('\u001b[32m');
    expect(statusColor(createStyle(true), 'pending')).toBe('pending');
  });

  it('wants colours on a TTY unless NO_COLOR or TERM=dumb, and obeys FORCE_COLOR', () => {
    expect(colorsWanted({ isTTY: true }, {})).toBe(true);
    expect(colorsWanted({ isTTY: false }, {})).toBe(false);
    expect(colorsWanted({}, {})).toBe(false);
    expect(colorsWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorsWanted({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colorsWanted({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorsWanted({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorsWanted({ isTTY: true }, { FORCE_COLOR: 'false' })).toBe(false);
    expect(colorsWanted({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1', TERM: 'dumb' })).toBe(true);
  });
});
