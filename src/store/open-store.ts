/**
 * Picks the store adapter a config names: `memory`, `sqlite:<path>`, a PostgreSQL URL, or a
 * {@link Store} instance.
 * @module
 */
import { resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { MemoryStore } from './memory-store.js';
import { DEFAULT_IDLE_IN_TRANSACTION_MS } from './postgres/connection.js';
import { fromConfigStore, PostgresStore } from './postgres/postgres-store.js';
import { checkUrlOptions, connectionStringProblem } from './postgres/url-options.js';
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
 *   `sqlite::memory:` is an in-memory database, for tests; `sqlite://name/…`, a URL's shape, is
 *   refused: it would name the absolute `/name/…` where a relative path was likely meant);
 * - `postgres://…` / `postgresql://…` → {@link PostgresStore}; a `schema` query parameter picks the
 *   schema (default `orchestrator`) and is removed before the URL reaches the driver;
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
    throw invalid(target);
  }
  if (target === 'memory') return new MemoryStore();
  if (target.startsWith('sqlite:')) {
    const path = target.slice('sqlite:'.length);
    if (path === '') throw invalid(target);
    if (path.includes('\u0000')) {
      throw new ValidationError(
        [
          {
            path: 'store',
            message: `Expected a SQLite file path, got one that contains U+0000 at index ${path.indexOf('\u0000')}`,
          },
        ],
        'Invalid config',
      );
    }
    if (/^\/\/[^/]/.test(path)) {
      // URL-style `sqlite://data/x.db`: usually meant relative, it would name /data/x.db.
      throw new ValidationError(
        [
          {
            path: 'store',
            message: `Expected "sqlite:<path>", got ${JSON.stringify(target)}, whose path //${path.slice(2).split('/')[0]}/… reads as the absolute /${path.slice(2)}: write "sqlite:${path.slice(2)}" for a path relative to the working directory, or "sqlite:/${path.slice(2)}" for the absolute one`,
          },
        ],
        'Invalid config',
      );
    }
    return new SqliteStore(path === ':memory:' ? path : resolve(process.cwd(), path));
  }
  if (/^postgres(ql)?:\/\//.test(target)) return openPostgres(target, idleInTransactionMs(node.leaseSeconds));
  throw invalid(target);
}

/** A third of the lease (whole milliseconds, at least 1) when shorter than the store's default. */
function idleInTransactionMs(leaseSeconds: number | undefined): number {
  if (leaseSeconds === undefined) return DEFAULT_IDLE_IN_TRANSACTION_MS;
  return Math.max(1, Math.min(DEFAULT_IDLE_IN_TRANSACTION_MS, Math.floor((leaseSeconds * 1000) / 3)));
}

/** A PostgresStore for `target`, with its `?schema=` parameter taken out. */
function openPostgres(target: string, idleInTransactionTimeoutMs: number): PostgresStore {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    // Which URL (masked) and what usually makes one unparsable, as `new PostgresStore(url)` says.
    const message = connectionStringProblem(target) ?? 'Cannot use the PostgreSQL URL: it does not parse';
    throw new ValidationError([{ path: 'store', message }], 'Invalid config');
  }
  // Before `schema` is taken out: `?schema=a&schema=b` is refused too.
  checkUrlOptions(target, { schemaParameter: true });
  const schema = url.searchParams.get('schema');
  if (schema === null) return fromConfigStore(new PostgresStore(target, { idleInTransactionTimeoutMs }));
  url.searchParams.delete('schema');
  try {
    return fromConfigStore(new PostgresStore(url.toString(), { schema, idleInTransactionTimeoutMs }));
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(
        [
          {
            path: 'store',
            message: `the parameter 'schema': ${error.issues.map((i) => i.message).join('; ')}`,
          },
        ],
        'Invalid config',
      );
    }
    throw error;
  }
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
