/**
 * Which adapter a store target names, told without loading any adapter: `openStore` opens it,
 * `openStoreLazily` loads only that adapter first.
 * @module
 */
import { ValidationError } from '../errors.js';
import type { Store } from './store.js';

/** The adapters a store URL can name. */
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/**
 * The kind of store `target` names: `memory`, `sqlite:<path>`, or a `postgres://` /
 * `postgresql://` URL (the adapter checks the rest).
 * @throws ValidationError naming `store` for anything else.
 */
export function storeKind(target: string): StoreKind {
  if (target === 'memory') return 'memory';
  if (target.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(target)) return 'postgres';
  throw invalidStore(target);
}

/** Whether `value` is a {@link Store} instance (passed as `store` instead of a URL). */
export function isStore(value: unknown): value is Store {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as Store).init === 'function' &&
    typeof (value as Store).update === 'function'
  );
}

/** The error for a `store` that names no store. */
export function invalidStore(target: unknown): ValidationError {
  const shown = typeof target === 'string' ? JSON.stringify(target) : typeof target;
  return new ValidationError(
    [
      {
        path: 'store',
        message: `Expected \`store\` to be "memory", "sqlite:<path>", "postgres://..." or a Store, got ${shown}`,
      },
    ],
    'Invalid config',
  );
}
