/**
 * jsonErrorOffset walks text once and names the first character JSON cannot continue with: the
 * place the API's refusal of a body reports. It must agree with JSON.parse on what is JSON, and on
 * the position wherever JSON.parse gives one.
 */
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../../src/json-error-offset.js';
import { prng } from '../recovery/saga-fuzz-plan.js';

/**
 * Where JSON.parse says `text` goes wrong: -1 when it is JSON, its length when it ends too soon,
 * else the position the message gives; undefined when the message gives none.
 */
function parsePosition(text: string): number | undefined {
  try {
    JSON.parse(text);
    return -1;
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('Unexpected end of JSON input')) return text.length;
    const position = / at position (\d+)/.exec(message);
    return position ? Number(position[1]) : undefined;
  }
}

/** Whether JSON.parse reads `text` up to `offset` (failing there only for its end) and not past it. */
function readsUpTo(text: string, offset: number): boolean {
  const readable = (start: string) => {
    const position = parsePosition(start);
    return position === undefined ? false : position === -1 || position >= start.length;
  };
  return (
    offset >= 0 &&
    offset < text.length &&
    readable(text.slice(0, offset)) &&
    !readable(text.slice(0, offset + 1))
  );
}

describe('jsonErrorOffset', () => {
  it('is -1 for JSON', () => {
    for (const text of [
      '0',
      '-0.5e+3',
      ' "a\\u00e9\\n" ',
      '"\u007f ~ \\/"',
      'true',
      '[]',
      '{}',
      '{"a": [1, {"b": null}], "c": false}\n',
    ]) {
      expect({ text, offset: jsonErrorOffset(text) }).toEqual({ text, offset: -1 });
    }
  });

  it('is the length of text that ends before its value does, the empty text too', () => {
    for (const text of ['', ' ', '[', '{"a":', '{"a": [1, 2', '"abc', '"a\\', 'tru', '-', '1.', '1e+']) {
      expect({ text, offset: jsonErrorOffset(text) }).toEqual({ text, offset: text.length });
    }
  });

  it('names a bad token in the middle, the character after a complete value, a bad escape', () => {
    const cases: [string, number][] = [
      ['{"actions": [stt]}', 13],
      ['{"a":t}', 6],
      ['[1,]', 3],
      ['{"a":1,}', 7],
      ["{'a': 1}", 1],
      ['[.5]', 1],
      ['[01]', 2],
      ['[1 2]', 3],
      ['[1,2]x', 5],
      ['{"a":1}}', 7],
      ['NaN', 0],
      ['"a\\x"', 3],
      ['"a\\u12G4"', 6],
      ['"a\nb"', 2],
      ['"a\u001fb"', 2],
      ['"a\\vb"', 3],
      ['\uFEFF{}', 0],
    ];
    for (const [text, offset] of cases)
      expect({ text, offset: jsonErrorOffset(text) }).toEqual({ text, offset });
  });

  it('counts in UTF-16 code units, as string indexes do, past non-ASCII text', () => {
    expect(jsonErrorOffset('{"naïve": "😀", x}')).toBe(16);
  });

  it('reads nesting far deeper than the call stack allows', () => {
    const depth = 50_000;
    const nested = `${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`;
    expect(jsonErrorOffset(nested)).toBe(-1);
    expect(jsonErrorOffset(`${nested.slice(0, -1)}}`)).toBe(nested.length - 1);
  });

  it('agrees with JSON.parse on mutated JSON: valid or not, and where when it says', () => {
    const random = prng(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '\\',
      'u',
      '0',
      '1',
      '-',
      '+',
      '.',
      'e',
      't',
      'x',
      ' ',
      '\n',
      'é',
    ];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? random() * 4 : random() * 6;
      if (kind < 1) return Math.floor(random() * 2000 - 1000) / 10;
      if (kind < 2) return pick(['', 'a"b', 'c\\d', 'é\n😀', '\u0001']);
      if (kind < 3) return pick([true, false, null, 0, -0.5e-7]);
      if (kind < 4) return 1.5e300;
      if (kind < 5) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}`, value(depth + 1)]),
      );
    };
    for (let round = 0; round < 3000; round++) {
      let text = JSON.stringify(value(0), null, random() < 0.5 ? 1 : undefined);
      for (let edits = 1 + Math.floor(random() * 2); edits > 0; edits--) {
        const at = Math.floor(random() * (text.length + 1));
        const cut = random() < 0.5 ? 1 : 0;
        text =
          random() < 0.2
            ? text.slice(0, at)
            : text.slice(0, at) + (random() < 0.7 ? pick(pieces) : '') + text.slice(at + cut);
      }
      const offset = jsonErrorOffset(text);
      const position = parsePosition(text);
      // No position given ("Unexpected token 'x', …"): JSON.parse reads up to it and no further.
      const expected = position ?? (readsUpTo(text, offset) ? offset : 'not where JSON.parse stops');
      expect({ text, offset }).toEqual({ text, offset: expected });
    }
  });
});
