/**
 * A binary min-heap over an array: `push` and `pop` are O(log n), `peek` O(1), and building one
 * from a list (`MinHeap.from`) is O(n).
 * @module
 */

/** Negative when `a` comes before `b`. */
export type Compare<T> = (a: T, b: T) => number;

/** See the module comment. */
export class MinHeap<T> {
  private readonly items: T[];
  private readonly compare: Compare<T>;

  constructor(compare: Compare<T>, items: T[] = []) {
    this.compare = compare;
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** A heap of `items` (the array is taken over, not copied). */
  static from<T>(items: T[], compare: Compare<T>): MinHeap<T> {
    return new MinHeap(compare, items);
  }

  /** Items held. */
  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** The first item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** The first item, removed; undefined when empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.down(0);
    }
    return top;
  }

  private up(index: number): void {
    const items = this.items;
    const item = items[index] as T;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as T;
      if (this.compare(item, above) >= 0) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  private down(index: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[index] as T;
    let i = index;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.compare(items[right] as T, items[child] as T) < 0) child = right;
      if (this.compare(items[child] as T, item) >= 0) break;
      items[i] = items[child] as T;
      i = child;
    }
    items[i] = item;
  }
}
