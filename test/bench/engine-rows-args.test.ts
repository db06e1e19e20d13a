// Argument parsing of the bench commands (bench/lib/engine-rows.ts, args.ts).
import { describe, expect, it } from 'vitest';
import { parsePayload } from '../../bench/lib/args.js';
import { parseEngineRow, parseRows } from '../../bench/lib/engine-rows.js';

describe('bench arguments', () => {
  it('takes exactly one engine row for bench:scale --store', () => {
    expect(parseEngineRow('sqlite-normal', 'store')).toBe('sqlite-normal');
    expect(() => parseEngineRow('memory,sqlite', 'store')).toThrow(
      '--store: expected one engine row (memory, sqlite, sqlite-normal, postgres, postgres-3), got "memory,sqlite"',
    );
    expect(() => parseEngineRow('', 'store')).toThrow('--store: expected one engine row');
    expect(() => parseEngineRow('sqlite-floor', 'store')).toThrow('got "sqlite-floor"');
  });

  it('parses row lists and payload sizes, naming what is wrong', () => {
    expect(parseRows('memory, sqlite-floor')).toEqual(['memory', 'sqlite-floor']);
    expect(() => parseRows('sqlite,nope')).toThrow('unknown row "nope"');
    expect(parsePayload('10kb')).toBe(10 * 1024);
    expect(parsePayload('small')).toBe(0);
    expect(parsePayload('1mb')).toBe(1024 * 1024);
    expect(() => parsePayload('10zb')).toThrow('--payload: expected bytes');
  });
});
