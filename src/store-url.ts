/**
 * Store URLs (SPEC §2): their shape, the default one and which one a config selects.
 * @module
 */
import type { Config } from './config.js';
import { describeValue } from './describe-value.js';
import { ValidationError } from './errors.js';
import { redactRefusedUrl } from './redact-url.js';
import type { Store } from './store/store.js';

/** The shape of a store URL: `memory`, `sqlite:<path>` or `postgres://...`. */
export const STORE_URL = /^(memory|sqlite:.+|postgres(ql)?:\/\/.+)$/;

/** Default SQLite file when persistence is on and nothing else is chosen. */
export const DEFAULT_SQLITE_STORE = 'sqlite:./data/orchestrator.sqlite';

/**
 * Which store a config selects (SPEC §2): explicit `store`, else memory when persistence is off, else env, else SQLite.
 * @throws ValidationError naming `ORCHESTRATOR_STORE` (password hidden) when the variable is consulted and malformed.
 */
export function resolveStoreUrl(config: Pick<Config, 'store' | 'enableWorkflowPersistence'>): string | Store {
  if (config.store !== undefined) return config.store;
  if (!config.enableWorkflowPersistence) return 'memory';
  const fromEnv = process.env.ORCHESTRATOR_STORE;
  if (!fromEnv) return DEFAULT_SQLITE_STORE;
  if (!STORE_URL.test(fromEnv)) {
    throw new ValidationError(
      [
        {
          path: 'ORCHESTRATOR_STORE',
          message: `Expected \`ORCHESTRATOR_STORE\` to be "memory", "sqlite:<path>" or "postgres://...", got ${describeValue(redactRefusedUrl(fromEnv))}`,
        },
      ],
      'Invalid config',
    );
  }
  return fromEnv;
}

/** Where a store URL came from, as its errors name it: the config key, the variable, a CLI flag. */
export type StoreUrlKey = 'store' | 'ORCHESTRATOR_STORE' | '--store';

/** Where the store URL {@link resolveStoreUrl} selects comes from: the variable when it is read, else `store`. */
export function storeUrlKey(config: Pick<Config, 'store' | 'enableWorkflowPersistence'>): StoreUrlKey {
  return config.store === undefined && config.enableWorkflowPersistence && process.env.ORCHESTRATOR_STORE
    ? 'ORCHESTRATOR_STORE'
    : 'store';
}

/**
 * `error` naming `key` where it names `store`: opening a store refuses a URL it cannot use
 * (`sqlite:~/x.db`, an unknown `sslmode`) as the config key `store`, which a URL taken from
 * ORCHESTRATOR_STORE or a CLI `--store` is not. Any other error is returned as it is.
 */
export function storeErrorAt(error: unknown, key: StoreUrlKey): unknown {
  if (key === 'store' || !(error instanceof ValidationError)) return error;
  if (!error.issues.some((issue) => issue.path === 'store')) return error;
  const issues = error.issues.map((issue) => (issue.path === 'store' ? { ...issue, path: key } : issue));
  return new ValidationError(issues, 'Invalid config');
}
