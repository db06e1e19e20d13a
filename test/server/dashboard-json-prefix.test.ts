/**
 * The dashboard's JSON previews are written only as far as they are shown: the text up to the
 * cut is exactly `JSON.stringify(value, null, 2)`'s, and a value far larger than the cut is not
 * read (nor turned into text) past it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JSON_DISPLAY_LIMIT, prettyJson } from '../../src/server/dashboard/format.js';
import { jsonPrefix } from '../../src/server/dashboard/json-prefix.js';
import { textPrefix } from '../../src/text-prefix.js';

/** Strings with what JSON escapes: quotes, backslashes, control characters, lone and paired surrogates. */
const tricky = fc.constantFrom(
  '"',
  '\\',
  '\n',
  '\t',
  '\b',
  '\f',
  '\r',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  'a',
  '/',
  '<',
);
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(tricky, { maxLength: 12 }).map((a) => a.join('')),
);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY),
);
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('json'), { maxLength: 6 }),
  object: fc.dictionary(text, tie('json'), { maxKeys: 6 }),
}));

/** What the old code showed: the whole text, cut. */
function expected(value: unknown, limit: number, indent: string) {
  const whole = JSON.stringify(value, null, indent) as string;
  return { text: textPrefix(whole, limit), truncated: whole.length > limit };
}

describe('jsonPrefix', () => {
  it('is JSON.stringify cut at the limit, for any JSON value and limit', () => {
    fc.assert(
      fc.property(json, fc.nat(400), fc.constantFrom('', '  ', '\t'), (value, limit, indent) => {
        expect(jsonPrefix(value, limit, indent)).toEqual(expected(value, limit, indent));
      }),
      { numRuns: 3000 },
    );
  });

  it('is JSON.stringify whole under a large limit', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(jsonPrefix(value, 1e9, '  ')).toEqual({
          text: JSON.stringify(value, null, 2),
          truncated: false,
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('matches JSON.stringify on what is not plain JSON', () => {
    const odd: unknown[] = [
      { a: undefined, b: () => 1, c: Symbol('s'), d: 1 },
      [undefined, () => 1, Symbol('s')],
      { a: undefined },
      new Date(0),
      { when: new Date(0), custom: { toJSON: (key: string) => `key ${key}` } },
      [{ toJSON: (key: string) => `index ${key}` }],
      [new Number(-0), new String('"s"'), new Boolean(false)],
      { gone: { toJSON: () => undefined }, kept: { toJSON: () => null } },
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
      // biome-ignore lint/suspicious/noSparseArray: a hole is read as undefined, shown as null.
      [1, , 3],
    ];
    for (const value of odd) {
      for (const limit of [0, 1, 5, 20, 1000])
        expect(jsonPrefix(value, limit, '  ')).toEqual(expected(value, limit, '  '));
    }
    expect(jsonPrefix(undefined, 10, '  ')).toBeUndefined();
    expect(jsonPrefix(() => 1, 10, '  ')).toBeUndefined();
    expect(jsonPrefix({ toJSON: () => undefined, x: 1 }, 10, '  ')).toBeUndefined();
    expect(() => jsonPrefix({ n: 1n }, 100, '  ')).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => jsonPrefix(cycle, 100, '  ')).toThrow(TypeError);
    // Past the cut, neither is reached.
    expect(jsonPrefix({ a: 'x'.repeat(50), n: 1n }, 20, '  ')?.truncated).toBe(true);
  });

  it('never ends in the first half of a surrogate pair', () => {
    for (let limit = 0; limit < 12; limit++) {
      const got = jsonPrefix(['😀😀😀'], limit, '  ');
      expect(got).toEqual(expected(['😀😀😀'], limit, '  '));
      expect(got?.text).not.toMatch(/[\ud800-\udbff]$/);
    }
  });
});

describe('prettyJson of a large value', () => {
  // A proxy that counts what is read of an array of 200,000 items: JSON.stringify read every
  // item (and built all its text) to show the first 64 Ki characters of it.
  it('reads no more of the value than it shows', () => {
    let reads = 0;
    const items = Array.from({ length: 200_000 }, (_, i) => ({ index: i, name: `item ${i}` }));
    const counted = new Proxy(items, {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const { text, truncated } = prettyJson(counted);
    expect(truncated).toBe(true);
    expect(text).toBe(textPrefix(JSON.stringify(items, null, 2), JSON_DISPLAY_LIMIT));
    expect(reads).toBeLessThan(10_000);
  });

  it('does not turn a long string into text past the cut', () => {
    const long = `${'"'.repeat(100)}${'x'.repeat(20_000_000)}`;
    // The CPU time this process spent, which other processes on a loaded machine do not add to.
    const started = process.cpuUsage();
    for (let i = 0; i < 20; i++) prettyJson([long]);
    const { user, system } = process.cpuUsage(started);
    // Escaping 20 M characters took about half a second each time; 64 Ki characters take well under a millisecond.
    expect((user + system) / 1000).toBeLessThan(1000);
    expect(prettyJson([long])).toEqual({
      text: textPrefix(JSON.stringify([long], null, 2), JSON_DISPLAY_LIMIT),
      truncated: true,
    });
  });
});
