/**
 * A budget on what one expression evaluation reads of its run-time data (`input`, `result`,
 * `steps`). The static bound (`expression-size.ts`) counts such data as one value, since its size
 * is only known at run time; two nested loops over a list from the input so ran n² steps, and
 * 100,000 items blocked the process for hours (or ran it out of memory with a copy in the loop).
 * Each plain object and list of the data is read through a view that counts every property read
 * (and every key listed); past {@link MAX_EVALUATION_READS} each further read throws, so the
 * evaluation stops within the budget, the same way on every run of the same data.
 * @module
 */

import { COMPREHENSIONS, isNode } from './cel-ast.js';
import { mapView, needsMapView, type ViewReader } from './map-view.js';

/** Most reads of run-time data one evaluation may make (a loop reads about four per item). */
export const MAX_EVALUATION_READS = 1_000_000;

/**
 * Most operations that may go over a whole list or string (`+`, `==`, `!=`, `in`, `join`,
 * `split`) an expression without a loop has and still runs without the budget: each is linear in
 * the data, so such an expression takes at most this many passes over it.
 */
export const MAX_UNCOUNTED_PASSES = 16;

const PASSES: ReadonlySet<string> = new Set(['+', '==', '!=', 'in', 'join', 'split']);

/**
 * Whether evaluating the expression needs the budget: it loops (a comprehension), or it has more
 * than {@link MAX_UNCOUNTED_PASSES} operations that may go over a whole list. The views cost
 * about 10 µs an evaluation, which the usual input or condition (a few field reads) is spared.
 */
export function needsReadBudget(ast: unknown): boolean {
  let passes = 0;
  const visit = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(visit);
    if (!isNode(value)) return false;
    const name = value.op === 'rcall' || value.op === 'call' ? (value.args as unknown[])[0] : value.op;
    if (value.op === 'rcall' && typeof name === 'string' && COMPREHENSIONS.has(name)) return true;
    if (typeof name === 'string' && PASSES.has(name) && ++passes > MAX_UNCOUNTED_PASSES) return true;
    return visit(value.args);
  };
  return visit(ast);
}

/** Thrown by a read past the budget; one instance, so a stopped loop allocates nothing per read. */
const EXCEEDED: Error = Object.freeze(new Error('the read budget is exhausted')) as Error;

/** The key under which a view answers the data behind it (see {@link ReadBudget.unwrap}). */
const TARGET = Symbol('read-budget target');

/** The counting views of one evaluation. */
export class ReadBudget {
  private left: number;
  private counting = true;
  /** Each object's view, so that data read twice is one view (and equal to itself at once). */
  private readonly views = new Map<object, object>();

  /** Map views made (of objects with a `constructor` key). */
  mapViews = 0;

  /** What a map view of an object with a `constructor` key reads through (see `map-view.ts`). */
  private readonly reader: ViewReader = {
    spend: (reads) => this.spend(reads),
    wrap: (value) => this.wrap(value),
  };

  constructor(reads = MAX_EVALUATION_READS) {
    this.left = reads;
  }

  /** Whether a read was refused. */
  get exceeded(): boolean {
    return this.left < 0;
  }

  /** Ends the counting: what the evaluation returned is read freely (see {@link unwrap}). */
  stop(): void {
    this.counting = false;
    this.views.clear();
  }

  /** The counting view of `value` (the same one each time); scalars and objects that are not JSON-shaped as they are. */
  wrap(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    const known = this.views.get(value);
    if (known !== undefined) return known;
    // Only JSON-shaped data: a Map or a class instance keeps its own behaviour (and internal slots).
    const proto: unknown = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
    if (!Array.isArray(value) && needsMapView(value)) {
      const map = mapView(value as Record<string, unknown>, this.reader, TARGET);
      this.mapViews++;
      this.views.set(value, map);
      return map;
    }
    if (!Object.isExtensible(value)) return value;
    const view = new Proxy(value, {
      get: (target, key) => {
        if (key === TARGET) return target;
        this.spend(1);
        const item: unknown = Reflect.get(target, key);
        if (item === null || typeof item !== 'object') return item;
        // A proxy must give a non-writable, non-configurable property's own value.
        const own = Reflect.getOwnPropertyDescriptor(target, key);
        return own && !own.configurable && !own.writable ? item : this.wrap(item);
      },
      ownKeys: (target) => {
        const keys = Reflect.ownKeys(target);
        this.spend(keys.length);
        return keys;
      },
    });
    this.views.set(value, view);
    return view;
  }

  /** The data behind a view (a value the evaluation returned), or `value` itself. */
  unwrap(value: object): object {
    return ((value as { [TARGET]?: object })[TARGET] ?? value) as object;
  }

  private spend(reads: number): void {
    if (!this.counting) return;
    this.left -= reads;
    if (this.left < 0) throw EXCEEDED;
  }
}
