/**
 * A first-in first-out queue over an array read from a moving head: `shift` is O(1) (an array's
 * own `shift` moves every element), and the consumed front is dropped once it is most of the
 * array, so memory follows what is still queued.
 * @module
 */

/** Consumed slots kept before the array is compacted (and only when they are over half of it). */
const COMPACT_AFTER = 1024;

/** See the module comment. */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Items queued. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /**
   * Queues `item` at the back, but ahead of the items at the back that `goesAfter` says go after
   * it: one call per item walks back only over those (none, for an item that belongs at the back).
   */
  pushOrdered(item: T, goesAfter: (queued: T) => boolean): void {
    let i = this.items.length;
    while (i > this.head && goesAfter(this.items[i - 1] as T)) i--;
    if (i === this.items.length) this.items.push(item);
    else this.items.splice(i, 0, item);
  }

  /** Puts `item` back at the front, to be the next one out. */
  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  /** The oldest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes `item` (its first occurrence); false if it is not queued. */
  remove(item: T): boolean {
    const i = this.items.indexOf(item, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  /**
   * Removes up to `max` items that `fits`, walking from the front, and returns them oldest first.
   * One pass over the items it walks past; the others keep their order.
   */
  takeOldest(max: number, fits: (item: T) => boolean): T[] {
    const taken: T[] = [];
    const kept: T[] = [];
    let i = this.head;
    while (i < this.items.length && taken.length < max) {
      const item = this.items[i++] as T;
      if (fits(item)) taken.push(item);
      else kept.push(item);
    }
    if (taken.length > 0) {
      this.items = [...kept, ...this.items.slice(i)];
      this.head = 0;
    }
    return taken;
  }

  /** Whether `item` is queued. */
  has(item: T): boolean {
    return this.items.indexOf(item, this.head) >= 0;
  }

  /** Empties the queue. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }

  /** The queued items, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
