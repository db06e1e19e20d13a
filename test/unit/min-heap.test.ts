import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/min-heap.js';

const ascending = (a: number, b: number) => a - b;

describe('MinHeap', () => {
  it('gives items back smallest first, pushed one by one or built from a list', () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1009);
    const pushed = new MinHeap<number>(ascending);
    for (const v of values) pushed.push(v);
    const built = MinHeap.from([...values], ascending);
    const sorted = [...values].sort(ascending);
    for (const heap of [pushed, built]) {
      expect(heap.size).toBe(values.length);
      const out: number[] = [];
      while (heap.size > 0) {
        expect(heap.peek()).toBe(heap.peek());
        out.push(heap.pop()!);
      }
      expect(out).toEqual(sorted);
      expect(heap.pop()).toBeUndefined();
      expect(heap.peek()).toBeUndefined();
    }
  });

  it('keeps its order when pushes and pops interleave', () => {
    const heap = new MinHeap<number>(ascending);
    const out: number[] = [];
    for (const v of [5, 3, 8]) heap.push(v);
    out.push(heap.pop()!);
    for (const v of [1, 9, 4]) heap.push(v);
    while (heap.size > 0) out.push(heap.pop()!);
    expect(out).toEqual([3, 1, 4, 5, 8, 9]);
  });
});
