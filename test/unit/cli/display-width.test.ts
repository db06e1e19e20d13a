import { describe, expect, it } from 'vitest';
import { cutToWidth, displayWidth, padToWidth } from '../../../src/cli/display-width.js';
import { truncate } from '../../../src/cli/format.js';
import { Output } from '../../../src/cli/output.js';
import { ProgressPrinter } from '../../../src/cli/progress.js';
import { createStyle, stripAnsi, visibleLength } from '../../../src/cli/style.js';
import { renderPairs, renderTable } from '../../../src/cli/table.js';

describe('displayWidth', () => {
  it('counts ASCII, Latin and other narrow text one column a character', () => {
    expect(displayWidth('')).toBe(0);
    expect(displayWidth('worker-1')).toBe(8);
    expect(displayWidth('naïve Ωμέγα')).toBe(11);
    expect(displayWidth('שלום')).toBe(4);
  });

  it('counts East Asian wide and fullwidth characters two columns', () => {
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('한국어')).toBe(6);
    expect(displayWidth('カタカナ')).toBe(8);
    expect(displayWidth('ＡＢＣ')).toBe(6);
    expect(displayWidth('。、')).toBe(4);
    expect(displayWidth('a中b')).toBe(4);
    // A supplementary-plane ideograph (a surrogate pair) is one character of two columns.
    expect(displayWidth('𠀋')).toBe(2);
  });

  it('counts combining marks and zero-width characters nothing', () => {
    expect(displayWidth('e\u0301')).toBe(1); // e + combining acute
    expect(displayWidth('a\u0308\u0323')).toBe(1);
    expect(displayWidth('a\u200bb')).toBe(2); // zero-width space
    expect(displayWidth('\u200d')).toBe(0);
    expect(displayWidth('\ufeffx')).toBe(1);
    expect(displayWidth('\u1100\u1161\u11a8')).toBe(2); // a Hangul syllable in conjoining jamo
  });

  it('counts an emoji once, two columns, whatever its sequence', () => {
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('✅')).toBe(2);
    expect(displayWidth('a😀b')).toBe(4);
    expect(displayWidth('👍🏽')).toBe(2); // with a skin tone modifier
    expect(displayWidth('👩‍💻')).toBe(2); // a ZWJ sequence
    expect(displayWidth('👨‍👩‍👧‍👦')).toBe(2);
    expect(displayWidth('🇯🇵')).toBe(2); // a flag: two regional indicators
    expect(displayWidth('🇯🇵🇫🇷')).toBe(4);
    expect(displayWidth('❤️')).toBe(2); // text-presentation heart + VS16
    expect(displayWidth('❤')).toBe(1);
  });
});

describe('cutToWidth and padToWidth', () => {
  it('cuts to at most a width, never half a wide character, surrogate pair or its marks', () => {
    expect(cutToWidth('日本語', 5)).toBe('日本');
    expect(cutToWidth('日本語', 6)).toBe('日本語');
    expect(cutToWidth('a😀b', 2)).toBe('a');
    expect(cutToWidth('e\u0301x', 1)).toBe('e\u0301');
    expect(cutToWidth('👩‍💻x', 2)).toBe('👩‍💻');
    expect(cutToWidth('abc', 0)).toBe('');
  });

  it('pads to a width in columns', () => {
    expect(padToWidth('日本', 6)).toBe('日本  ');
    expect(padToWidth('abcdef', 3)).toBe('abcdef');
  });
});

describe('aligned output with wide characters', () => {
  /** Column (in display cells) where `needle` starts on `line`. */
  const column = (line: string, needle: string) => displayWidth(line.slice(0, line.indexOf(needle)));

  it('aligns table columns after CJK, emoji and combining marks', () => {
    const lines = renderTable(
      ['WORKER', 'ACTIVE', 'SOURCE'],
      [
        ['worker-1', '1', 'seen'],
        ['工作者', '2', 'seen'],
        ['w😀', '3', 'seen'],
        ['cafe\u0301', '4', 'seen'],
      ],
    );
    expect(lines.map((l) => column(l, 'seen')).slice(1)).toEqual([18, 18, 18, 18]);
    expect(column(lines[0]!, 'SOURCE')).toBe(18);
  });

  it('measures coloured wide cells by their display width', () => {
    const style = createStyle(true);
    expect(visibleLength(style.red('日本'))).toBe(4);
    const lines = renderTable(
      ['A', 'B'],
      [
        [style.red('日本'), 'x'],
        ['ab', 'y'],
      ],
    ).map(stripAnsi);
    expect(lines).toEqual(['A     B', '日本  x', 'ab    y']);
  });

  it('aligns label/value pairs whose labels are wide', () => {
    expect(
      renderPairs([
        ['出力', 'a'],
        ['out', 'b'],
      ]),
    ).toEqual(['  出力  a', '  out   b']);
  });

  it('truncates previews to a width in columns', () => {
    expect(truncate('日本語日本語', 7)).toBe('日本語…');
    expect(displayWidth(truncate('日'.repeat(200), 100))).toBeLessThanOrEqual(100);
    expect(truncate('日本', 4)).toBe('日本');
  });

  it('pads progress labels to their display width', () => {
    let text = '';
    const out = new Output({ json: false, stdout: { write: (t: string) => (text += t) }, colors: false });
    const progress = new ProgressPrinter(out, [{ name: 'fetch' }]);
    progress.follow('e1');
    progress.receive({
      event: 'step.started',
      payload: { executionId: 'e1', workflowId: 'w', step: 'fetch', attempt: 1 },
    });
    progress.receive({
      event: 'step.started',
      payload: { executionId: 'e1', workflowId: 'w', step: '取得', attempt: 1 },
    });
    const lines = text.split('\n').filter(Boolean);
    expect(lines.map((l) => column(l, 'started'))).toEqual([21, 21]);
  });
});
