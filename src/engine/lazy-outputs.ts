/**
 * What a handler sees as `ctx.outputs`: every output by name, each copied when the handler first
 * reads it. Copying them all at once made a long workflow quadratic: a step that read one earlier
 * output copied every output so far (1,000 steps of 10 KB outputs: 17 s instead of 1.3 s).
 * @module
 */
import { copyJson } from '../json-value.js';

/** Node's hook for `console.log` and `util.inspect` (an output not read yet would show as `[Getter/Setter]`). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What `console.log(ctx.outputs)` shows: every output, as read (so copied) now. */
function inspectOutputs(this: Record<string, unknown>): Record<string, unknown> {
  return { ...this };
}

/** A plain data property (what a read or an assignment leaves in place of a lazy one). */
function dataProperty(value: unknown): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true };
}

/**
 * A plain object with a key per output of `outputs` (as it is now), whose first read copies that
 * output and keeps the copy (read again, it is the same object). The handler may assign, add and
 * delete keys as on any object, freeze or seal it; the engine's values are never handed out.
 */
export function lazyOutputCopies(outputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // No prototype: a step may be named `constructor` or `toString`, and before it completed
  // `ctx.outputs.constructor` was Object's (`'toString' in ctx.outputs` was true), as the
  // expressions' `steps` never are.
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(outputs)) {
    const value = outputs[key];
    // The key's value once read or assigned. Kept here too: once the handler froze or sealed
    // `ctx.outputs` (its keys no longer configurable), the key stays this getter and setter.
    let current: unknown;
    let known = false;
    const settle = () => {
      if (Object.getOwnPropertyDescriptor(out, key)?.configurable) {
        Object.defineProperty(out, key, dataProperty(current));
      }
    };
    Object.defineProperty(out, key, {
      get() {
        if (!known) {
          current = copyJson(value);
          known = true;
        }
        settle();
        return current;
      },
      set(next: unknown) {
        // As with a frozen plain object (handlers are modules: strict mode).
        if (Object.isFrozen(out))
          throw new TypeError(`Cannot assign to read only property '${key}' of object`);
        current = next;
        known = true;
        settle();
      },
      enumerable: true,
      configurable: true,
    });
  }
  // Not enumerable: a spread, `Object.keys` or JSON of `ctx.outputs` does not see it.
  Object.defineProperty(out, INSPECT, { value: inspectOutputs, configurable: true, writable: true });
  return out;
}
