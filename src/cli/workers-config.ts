/**
 * What `orchestrator workers` takes from a `--config` file, the one `serve` runs with: the
 * `alerts.imbalanceThreshold` its balance verdict is judged at (as `GET /v1/workers` judges it),
 * the `workers` listed when no live node advertises its own, and the store, by the precedence
 * `serve` uses (`configStore`).
 * @module
 */
import { ALERT_DEFAULTS, DEFAULTS } from '../config.js';
import type { StoreUrlKey } from '../store-url.js';
import { checkConfigFile, readConfigFile } from './config-file.js';
import { configStore } from './config-store.js';
import type { Globals } from './globals.js';

/** The threshold, workers and store `workers` uses. */
export interface WorkersConfig {
  /** `alerts.imbalanceThreshold` of the file, else its default. */
  imbalanceThreshold: number;
  /** `workers` of the file, else the default ones: listed when no live node advertises its own. */
  workers: readonly string[];
  /** The store URL and the key an error about it names. */
  store: string;
  storeKey: StoreUrlKey;
}

/**
 * Reads `path` (none: the defaults and the global store). Only the `alerts`, `workers` and
 * `store` keys matter here, but every key is checked as `serve` checks it (see `checkConfigFile`).
 * @throws UsageError naming the file for one that is not a JSON object or that `serve` refuses.
 */
export async function readWorkersConfig(path: string | undefined, globals: Globals): Promise<WorkersConfig> {
  if (path === undefined) {
    return {
      imbalanceThreshold: ALERT_DEFAULTS.imbalanceThreshold,
      workers: DEFAULTS.workers,
      store: globals.store,
      storeKey: globals.storeKey,
    };
  }
  const file = await readConfigFile(path);
  const compiled = checkConfigFile(path, file, globals.storeSource === 'flag');
  return {
    imbalanceThreshold: compiled.alerts.imbalanceThreshold,
    workers: compiled.workers,
    ...configStore(file, globals),
  };
}
