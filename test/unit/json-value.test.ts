/**
 * JSON values: the check names the first problem and its path; the copy shares nothing with
 * the original and is shaped as the stores give values back.
 */
import { describe, expect, it } from 'vitest';
import { echo } from '../../src/echo.js';
import { ValidationError } from '../../src/errors.js';
import {
  copiedJsonText,
  copyJson,
  copyJsonOrThrow,
  findJsonProblem,
  NOT_JSON,
  TOO_LARGE,
  tryCopyJson,
} from '../../src/json-value.js';

describe('findJsonProblem / tryCopyJson', () => {
  const deep = (levels: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = { d: v };
    return v;
  };
  const cyclic: Record<string, unknown> = { a: [1, { b: 2 }] };
  ((cyclic.a as unknown[])[1] as Record<string, unknown>).back = cyclic;

  it.each([
    ['a non-finite number', { a: [1, Number.NaN] }, 'out.a[1]', 'expected a finite number, got NaN'],
    ['a bigint', { n: 1n }, 'out.n', 'expected a JSON value, got bigint'],
    ['a function', [() => 1], 'out[0]', 'expected a JSON value, got function'],
    ['a class instance', { m: new Map() }, 'out.m', 'expected a plain object, got Map'],
    ['a cycle', cyclic, 'out.a[1].back', 'contains a circular reference'],
    ['too deep a value', deep(70), `out${'.d'.repeat(64)}`, 'nested deeper than 64 levels'],
  ])('%s is named with its path', (_what, value, path, message) => {
    expect(findJsonProblem(value, 'out')).toEqual({ path, message });
    expect(tryCopyJson(value)).toBe(NOT_JSON);
    expect(() => copyJsonOrThrow(value, 'out', 'Invalid test value')).toThrow(ValidationError);
    // The message repeats a path of up to 64 characters whole, a longer one cut (see echo.ts);
    // the issue keeps it whole.
    expect(() => copyJsonOrThrow(value, 'out', 'Invalid test value')).toThrow(
      `Invalid test value: ${echo(path, null)}: ${message}`,
    );
    try {
      copyJsonOrThrow(value, 'out', 'Invalid test value');
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([{ path, message }]);
    }
  });

  it('accepts JSON values, dates and undefined, and copies them as JSON would store them', () => {
    const at = new Date(0);
    const value = {
      s: 'x',
      n: 1.5,
      b: false,
      z: null,
      at,
      list: [1, undefined, { u: undefined }],
      gone: undefined,
    };
    expect(findJsonProblem(value, 'v')).toBeNull();
    const copy = tryCopyJson(value);
    expect(copy).not.toBe(NOT_JSON);
    expect(copy).toStrictEqual(JSON.parse(JSON.stringify(value)));
    expect(copy).toStrictEqual({
      s: 'x',
      n: 1.5,
      b: false,
      z: null,
      at: '1970-01-01T00:00:00.000Z',
      list: [1, null, {}],
    });
  });

  it('the copy shares no object with the original', () => {
    const value = { a: { b: [{ c: 1 }] } };
    const copy = copyJson(value);
    expect(copy).toEqual(value);
    value.a.b[0]!.c = 2;
    value.a.b.push({ c: 3 });
    expect(copy).toEqual({ a: { b: [{ c: 1 }] } });
  });

  it('a __proto__ key stays a key and does not become the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as Record<string, unknown>;
    const copy = copyJson(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'k']);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('copies own keys only, in their order, whatever Object.prototype holds', () => {
    // An enumerable key added to Object.prototype (a polluting library) is no key of the value.
    Object.defineProperty(Object.prototype, 'inherited', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      const copy = copyJson({ b: 1, 2: 'two', a: { c: 3 }, 1: 'one' }) as Record<string, unknown>;
      expect(Object.keys(copy)).toEqual(['1', '2', 'b', 'a']);
      expect(Object.hasOwn(copy, 'inherited')).toBe(false);
      expect(Object.hasOwn(copy.a as object, 'inherited')).toBe(false);
      // A null-prototype object too.
      const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 });
      expect(Object.keys(copyJson(bare) as object)).toEqual(['k']);
    } finally {
      delete (Object.prototype as { inherited?: unknown }).inherited;
    }
  });

  it('a key a getter deleted while the value was copied is left out, as an undefined value is', () => {
    const value: Record<string, unknown> = {};
    Object.defineProperty(value, 'first', {
      get() {
        delete value.later;
        return 1;
      },
      enumerable: true,
      configurable: true,
    });
    value.later = 2;
    expect(copyJson(value)).toEqual({ first: 1 });
  });

  it('reads a Proxy as Object.keys does: its prototype and each key descriptor once', () => {
    // A Proxy (a reactive store's object, a logging or lazily listing view) sees every read: the
    // copy asks its prototype once, its keys once, and each key's descriptor once, then reads the
    // values. (A `for...in` over it asked the prototype and each descriptor twice, so a view that
    // answers a descriptor once lost that key from the copy.)
    const reads: string[] = [];
    const proxy = new Proxy(
      { a: 1, b: 'two' },
      {
        getPrototypeOf(target) {
          reads.push('prototype');
          return Reflect.getPrototypeOf(target);
        },
        ownKeys(target) {
          reads.push('keys');
          return Reflect.ownKeys(target);
        },
        getOwnPropertyDescriptor(target, key) {
          reads.push(`descriptor ${String(key)}`);
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
        get(target, key, receiver) {
          reads.push(`get ${String(key)}`);
          return Reflect.get(target, key, receiver);
        },
      },
    );
    expect(copyJson(proxy)).toEqual({ a: 1, b: 'two' });
    expect(reads).toEqual(['prototype', 'keys', 'descriptor a', 'descriptor b', 'get a', 'get b']);

    // A view that describes each key once (then forgets it) is copied whole.
    const told = new Set<string | symbol>();
    const once = new Proxy({ a: 1, b: 2 } as Record<string, unknown>, {
      getOwnPropertyDescriptor(target, key) {
        if (told.has(key)) return undefined;
        told.add(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
    });
    expect(tryCopyJson({ view: once })).toEqual({ view: { a: 1, b: 2 } });
  });

  it('primitives and undefined at the top are their own copies', () => {
    expect(copyJson('s')).toBe('s');
    expect(copyJson(undefined)).toBeUndefined();
    expect(tryCopyJson(7)).toBe(7);
    expect(tryCopyJson(Number.POSITIVE_INFINITY)).toBe(NOT_JSON);
    expect(findJsonProblem(Number.POSITIVE_INFINITY, 'x')).toEqual({
      path: 'x',
      message: 'expected a finite number, got Infinity',
    });
  });

  it('tryCopyJson answers the copy, or NOT_JSON for a value with a problem', () => {
    const value = { a: [1, { b: 'c' }] };
    const copy = tryCopyJson(value);
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
    expect(tryCopyJson({ a: [Number.NaN] })).toBe(NOT_JSON);
    expect(tryCopyJson(new Map())).toBe(NOT_JSON);
    expect(tryCopyJson(undefined)).toBeUndefined();
  });

  it('a copy made inside another (a getter that copies) leaves the outer limit and count alone', () => {
    const limit = 1000;
    // As a getter of a returned output that starts an execution (its input copied) would.
    const copyInside = () => {
      expect(tryCopyJson({ small: 1 }, limit)).toEqual({ small: 1 });
      return 'x';
    };
    // What was counted before the getter still counts after it.
    const counted = tryCopyJson(
      {
        before: 'y'.repeat(1500),
        get inside() {
          return copyInside();
        },
        after: 'y'.repeat(600),
      },
      limit,
    );
    expect(copiedJsonText(counted, limit)).toBeGreaterThan(2100);
    // And the copy still stops past twice the limit (an array's length alone).
    const stopped = tryCopyJson(
      {
        get inside() {
          return copyInside();
        },
        holes: new Array(1000),
      },
      limit,
    );
    expect(stopped).toBe(TOO_LARGE);
    // copyJson inside counts apart too.
    const within = tryCopyJson(
      {
        get first() {
          copyJson({ other: 'z'.repeat(5000) });
          return 'x';
        },
      },
      limit,
    );
    expect(copiedJsonText(within, limit)).toBeLessThan(100);
  });
});
