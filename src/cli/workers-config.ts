/**
 * What `orchestrator workers` takes from a `--config` file, the one `serve` runs with: the
 * `alerts.imbalanceThreshold` its balance verdict is judged at (as `GET /v1/workers` judges it),
 * and the store, by the precedence `serve` uses (`configStore`).
 * @module
 */
import { ALERT_DEFAULTS, compileConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import type { StoreUrlKey } from '../store-url.js';
import { readConfigFile } from './config-file.js';
import { configStore } from './config-store.js';
import { UsageError } from './errors.js';
import type { Globals } from './globals.js';

/** The threshold and store `workers` uses. */
export interface WorkersConfig {
  /** `alerts.imbalanceThreshold` of the file, else its default. */
  imbalanceThreshold: number;
  /** The store URL and the key an error about it names. */
  store: string;
  storeKey: StoreUrlKey;
}

/**
 * Reads `path` (none: the defaults and the global store). Only the `alerts` and `store` keys
 * matter here; `alerts` is validated as the orchestrator validates it.
 * @throws UsageError naming the file for one that is not a JSON object or has bad `alerts`.
 */
export async function readWorkersConfig(path: string | undefined, globals: Globals): Promise<WorkersConfig> {
  if (path === undefined) {
    return {
      imbalanceThreshold: ALERT_DEFAULTS.imbalanceThreshold,
      store: globals.store,
      storeKey: globals.storeKey,
    };
  }
  const file = await readConfigFile(path);
  let imbalanceThreshold: number;
  try {
    imbalanceThreshold = compileConfig({ alerts: file.alerts as never }).alerts.imbalanceThreshold;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new UsageError(`config file '${path}': ${error.message}`, { cause: error });
  }
  if (globals.storeSource !== 'flag' && file.store !== undefined && typeof file.store !== 'string') {
    throw new UsageError(
      `config file '${path}': 'store' must be a store URL string, such as "sqlite:<path>"`,
    );
  }
  return { imbalanceThreshold, ...configStore(file, globals) };
}
