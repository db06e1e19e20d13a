/**
 * LRU bookkeeping on a Map (src/lru.ts): insertion order is recency; touching the newest key
 * again keeps the order; the oldest is dropped past the bound.
 */
import { describe, expect, it } from 'vitest';
import { dropOldest, setRecent } from '../../src/lru.js';

describe('setRecent / dropOldest', () => {
  it('moves a touched key to the newest end and drops the least recently used', () => {
    const m = new Map<string, number>();
    setRecent(m, 'a', 1);
    setRecent(m, 'b', 2);
    setRecent(m, 'c', 3);
    setRecent(m, 'a', 4);
    expect([...m]).toEqual([
      ['b', 2],
      ['c', 3],
      ['a', 4],
    ]);
    expect(dropOldest(m, 2)).toEqual(['b', 2]);
    expect(dropOldest(m, 2)).toBeUndefined();
    expect([...m.keys()]).toEqual(['c', 'a']);
  });

  it('touching the newest key again updates its value in place, order unchanged', () => {
    const m = new Map<string, number>();
    setRecent(m, 'a', 1);
    setRecent(m, 'b', 2);
    for (let i = 0; i < 100; i++) setRecent(m, 'b', i);
    expect([...m]).toEqual([
      ['a', 1],
      ['b', 99],
    ]);
    // Then an older key becomes the newest, and the previous newest moves again when touched.
    setRecent(m, 'a', 5);
    setRecent(m, 'b', 6);
    expect([...m.keys()]).toEqual(['a', 'b']);
  });

  it('a newest key dropped meanwhile is set again as the newest', () => {
    const m = new Map<string, number>();
    setRecent(m, 'a', 1);
    expect(dropOldest(m, 0)).toEqual(['a', 1]);
    setRecent(m, 'a', 2);
    setRecent(m, 'b', 3);
    expect([...m]).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
    expect(dropOldest(m, 1)).toEqual(['a', 2]);
  });

  it('keeps the newest key per map', () => {
    const m1 = new Map<string, number>();
    const m2 = new Map<string, number>();
    setRecent(m1, 'x', 1);
    setRecent(m1, 'y', 1);
    setRecent(m2, 'x', 1);
    setRecent(m1, 'x', 2);
    expect([...m1.keys()]).toEqual(['y', 'x']);
    expect([...m2.keys()]).toEqual(['x']);
  });
});
