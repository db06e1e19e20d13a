import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/fifo.js';

describe('Fifo', () => {
  it('gives items back in the order they came, across compactions of its array', () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    // Interleaved pushes and shifts, far past the compaction threshold.
    for (let i = 0; i < 5000; i++) {
      q.push(i);
      if (i % 3 !== 0) out.push(q.shift()!);
    }
    expect(q.size).toBe(5000 - out.length);
    while (q.size > 0) out.push(q.shift()!);
    expect(out).toEqual([...Array(5000).keys()]);
    expect(q.shift()).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it('iterates the queued items oldest first, removes one from the middle, and clears', () => {
    const q = new Fifo<string>();
    for (const s of ['a', 'b', 'c', 'd']) q.push(s);
    expect(q.peek()).toBe('a');
    expect(q.shift()).toBe('a');
    expect(q.peek()).toBe('b');
    expect([...q]).toEqual(['b', 'c', 'd']);
    expect(q.remove('c')).toBe(true);
    expect(q.remove('a')).toBe(false); // already taken
    expect(q.remove('x')).toBe(false);
    expect([...q]).toEqual(['b', 'd']);
    expect([q.has('b'), q.has('d'), q.has('a'), q.has('c')]).toEqual([true, true, false, false]);
    expect(q.size).toBe(2);
    q.clear();
    expect([...q]).toEqual([]);
    expect(q.shift()).toBeUndefined();
  });

  it('puts an item back at the front, whether items were taken or not', () => {
    const q = new Fifo<string>();
    q.unshift('a');
    q.push('b');
    expect(q.shift()).toBe('a');
    q.unshift('z'); // into the slot just taken
    q.unshift('y'); // before the head of the array
    expect([...q]).toEqual(['y', 'z', 'b']);
    expect(q.size).toBe(3);
  });

  it('pushes an item in order: ahead of the items at the back that go after it, never ahead of the head', () => {
    const q = new Fifo<number>();
    const later = (n: number) => (queued: number) => queued > n;
    for (const n of [1, 3, 5, 7]) q.pushOrdered(n, later(n));
    expect(q.shift()).toBe(1);
    q.pushOrdered(4, later(4));
    q.pushOrdered(8, later(8));
    q.pushOrdered(2, later(2));
    expect([...q]).toEqual([2, 3, 4, 5, 7, 8]);
    // Older than everything queued: first out, the taken slots left alone.
    q.pushOrdered(0, later(0));
    expect([...q]).toEqual([0, 2, 3, 4, 5, 7, 8]);
    expect(q.size).toBe(7);
    expect(q.shift()).toBe(0);
  });

  it('takes the oldest items that fit, oldest first, keeping the order of the others', () => {
    const q = new Fifo<number>();
    for (let n = 1; n <= 8; n++) q.push(n);
    expect(q.shift()).toBe(1);
    const even = (n: number) => n % 2 === 0;
    expect(q.takeOldest(2, even)).toEqual([2, 4]);
    expect([...q]).toEqual([3, 5, 6, 7, 8]);
    // Fewer fit than asked for: every one that fits, the walk stopping at the back.
    expect(q.takeOldest(5, even)).toEqual([6, 8]);
    expect([...q]).toEqual([3, 5, 7]);
    expect(q.size).toBe(3);
    expect(q.takeOldest(0, () => true)).toEqual([]);
    expect(q.takeOldest(3, () => false)).toEqual([]);
    expect(q.shift()).toBe(3);
    q.push(9);
    q.unshift(4);
    expect([...q]).toEqual([4, 5, 7, 9]);
    expect(q.takeOldest(1, (n) => n > 4)).toEqual([5]);
    expect([...q]).toEqual([4, 7, 9]);
  });
});
