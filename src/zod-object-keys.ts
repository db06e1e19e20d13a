/**
 * The keys a zod schema's object takes at a path (`['steps', 0, 'retry']` → the retry options'
 * keys), for naming the key a misspelt one stood for. Unions give the keys of every branch.
 * @module
 */
import type { z } from 'zod';

/** The parts of a zod 4 schema's definition this walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
  left?: z.core.$ZodType;
  right?: z.core.$ZodType;
  getter?: () => z.core.$ZodType;
}

/** Most schemas one walk visits (a lazy schema can refer to itself). */
const MAX_VISITS = 200;

/** The keys of the object (or objects, under a union) `schema` takes at `path`; empty if none. */
export function objectKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  const budget = { left: MAX_VISITS };
  collect(schema, path, 0, keys, budget);
  return [...keys];
}

function collect(
  schema: z.core.$ZodType,
  path: readonly PropertyKey[],
  at: number,
  keys: Set<string>,
  budget: { left: number },
): void {
  if (--budget.left < 0) return;
  const def = schema._zod.def as unknown as Def;
  const part = path[at];
  const walk = (next: z.core.$ZodType | undefined, nextAt: number) => {
    if (next !== undefined) collect(next, path, nextAt, keys, budget);
  };
  switch (def.type) {
    case 'object':
      if (at === path.length) {
        for (const key of Object.keys(def.shape ?? {})) keys.add(key);
      } else if (def.shape !== undefined && Object.hasOwn(def.shape, String(part))) {
        walk(def.shape[String(part)], at + 1);
      }
      return;
    case 'array':
      if (typeof part === 'number') walk(def.element, at + 1);
      return;
    case 'record':
      if (at < path.length) walk(def.valueType, at + 1);
      return;
    case 'union':
      for (const option of def.options ?? []) walk(option, at);
      return;
    case 'intersection':
      walk(def.left, at);
      walk(def.right, at);
      return;
    case 'pipe':
      walk(def.in, at);
      return;
    case 'lazy':
      walk(def.getter?.(), at);
      return;
    default:
      // optional, nullable, default, readonly, catch, nonoptional…: the schema they wrap.
      walk(def.innerType, at);
  }
}
