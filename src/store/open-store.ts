/**
 * Picks the store adapter a config names: `memory`, `sqlite:<path>`, a PostgreSQL URL, or a
 * {@link Store} instance.
 * @module
 */
import { MemoryStore } from './memory-store.js';
import { openPostgres } from './postgres/open-postgres.js';
import { openSqlite } from './sqlite/open-sqlite.js';
import type { Store } from './store.js';
import { invalidStore, isStore, storeKind } from './store-kind.js';

/**
 * The store `target` names (not initialised yet: call `init()`).
 * - `memory` → {@link MemoryStore};
 * - `sqlite:<path>` → `SqliteStore` (a relative path is relative to the working directory;
 *   `sqlite::memory:` is an in-memory database, for tests; `sqlite://name/…`, a URL's shape, is
 *   refused: it would name the absolute `/name/…` where a relative path was likely meant);
 * - `postgres://…` / `postgresql://…` → `PostgresStore`; a `schema` query parameter picks the
 *   schema (default `orchestrator`), and `poolSize`, `writeLanes`, `queryTimeoutMs`,
 *   `idleInTransactionTimeoutMs` and `migrationLockTimeoutMs` the options of those names; they
 *   are removed before the URL reaches the driver;
 * - a `Store` instance is returned as is.
 *
 * With `leaseSeconds` (the node's lease), a PostgreSQL store's sessions end a transaction left
 * idle for a third of it, if that is shorter than the store's default: a node frozen in the
 * middle of a transaction (SIGSTOP, a paused VM) holds the row locks it took, other nodes'
 * executions included, and their owners' renewals skip locked rows, so the lock must go before
 * their leases run out.
 * @throws ValidationError naming `store` for anything else.
 */
export function openStore(target: string | Store, node: { leaseSeconds?: number } = {}): Store {
  if (typeof target !== 'string') {
    if (isStore(target)) return target;
    throw invalidStore(target);
  }
  switch (storeKind(target)) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite':
      return openSqlite(target);
    case 'postgres':
      return openPostgres(target, node);
  }
}
