/**
 * How expressions read a JSON object that has its own `constructor` key (an API's record, or
 * `steps` when a step is named `constructor`). The expression library types an object by its
 * `constructor` property, so it refused such an object ("Unsupported type: ...") and every
 * expression that read it or a value beside it failed. It takes a `Map` as a map, so the object is
 * shown as one: a `Map` whose own methods read the object, through the read budget's views.
 * @module
 */

/** What a map view reads through: the read budget's counting and its views of the values. */
export interface ViewReader {
  /** Counts `reads` reads (throws past the budget). */
  spend(reads: number): void;
  /** The view of a value read from the object. */
  wrap(value: unknown): unknown;
}

/** Whether expressions must read `value` (a plain object) through a map view. */
export function needsMapView(value: object): boolean {
  return Object.hasOwn(value, 'constructor');
}

/**
 * A `Map` (so the library types it as a map) answering `target`'s own enumerable keys and values;
 * each method counts its reads with `reader.spend`, and values come through `reader.wrap`.
 * `targetKey` on it answers `target` (what the evaluation's result is copied from).
 */
export function mapView(
  target: Record<string, unknown>,
  reader: ViewReader,
  targetKey: symbol,
): Map<string, unknown> {
  const has = (key: unknown): key is string => typeof key === 'string' && Object.hasOwn(target, key);
  const keys = (): string[] => {
    const list = Object.keys(target);
    reader.spend(list.length);
    return list;
  };
  const entries = (): [string, unknown][] => keys().map((key) => [key, reader.wrap(target[key])]);
  const view = new Map<string, unknown>();
  const own: Record<PropertyKey, unknown> = {
    get: (key: unknown) => {
      reader.spend(1);
      return has(key) ? reader.wrap(target[key]) : undefined;
    },
    has: (key: unknown) => {
      reader.spend(1);
      return has(key);
    },
    keys: () => keys()[Symbol.iterator](),
    values: () =>
      entries()
        .map(([, value]) => value)
        [Symbol.iterator](),
    entries: () => entries()[Symbol.iterator](),
    [Symbol.iterator]: () => entries()[Symbol.iterator](),
    forEach: (fn: (value: unknown, key: string, map: Map<string, unknown>) => void) => {
      for (const [key, value] of entries()) fn(value, key, view);
    },
    [targetKey]: target,
  };
  for (const key of Reflect.ownKeys(own)) Object.defineProperty(view, key, { value: own[key] });
  Object.defineProperty(view, 'size', { get: () => Object.keys(target).length });
  return view;
}
