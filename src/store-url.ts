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
