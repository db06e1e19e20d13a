/**
 * `openStore` for a store URL, loading only the adapter it names: a command line that reads a
 * SQLite file loads no PostgreSQL driver, and one on PostgreSQL no SQLite addon.
 * @module
 */
import type { Store } from './store.js';
import { storeKind } from './store-kind.js';

/**
 * The store `target` names (not initialised yet), as `openStore` opens it and with the same
 * errors, after loading only its adapter.
 * @throws ValidationError naming `store` for a target that names no store.
 */
export async function openStoreLazily(target: string): Promise<Store> {
  switch (storeKind(target)) {
    case 'memory':
      return new (await import('./memory-store.js')).MemoryStore();
    case 'sqlite':
      return (await import('./sqlite/open-sqlite.js')).openSqlite(target);
    case 'postgres':
      return (await import('./postgres/open-postgres.js')).openPostgres(target);
  }
}
