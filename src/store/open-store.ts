/**
 * Picks the store adapter a config names: `memory`, `sqlite:<path>`, a PostgreSQL URL, or a
 * {@link Store} instance.
 * @module
 */
import { resolve } from 'node:path';
import { OrchestratorError, ValidationError } from '../errors.js';
import { MemoryStore } from './memory-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

function isStore(value: unknown): value is Store {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as Store).init === 'function' &&
    typeof (value as Store).update === 'function'
  );
}

/**
 * The store `target` names (not initialised yet: call `init()`).
 * - `memory` → {@link MemoryStore};
 * - `sqlite:<path>` → {@link SqliteStore} (a relative path is relative to the working directory;
 *   `sqlite::memory:` is an in-memory database, for tests);
 * - `postgres://…` / `postgresql://…` → PostgreSQL (throws `STORE_UNAVAILABLE` until it is built);
 * - a `Store` instance is returned as is.
 * @throws ValidationError naming `store` for anything else.
 */
export function openStore(target: string | Store): Store {
  if (typeof target !== 'string') {
    if (isStore(target)) return target;
    throw invalid(target);
  }
  if (target === 'memory') return new MemoryStore();
  if (target.startsWith('sqlite:')) {
    const path = target.slice('sqlite:'.length);
    if (path === '') throw invalid(target);
    return new SqliteStore(path === ':memory:' ? path : resolve(process.cwd(), path));
  }
  if (/^postgres(ql)?:\/\//.test(target)) {
    throw new OrchestratorError(
      'STORE_UNAVAILABLE',
      'PostgreSQL support is not built yet: use "memory" or "sqlite:<path>"',
    );
  }
  throw invalid(target);
}

function invalid(target: unknown): ValidationError {
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
