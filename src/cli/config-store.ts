/**
 * Which store a command runs against when it is given a config file, by the precedence of SPEC
 * §2: `--store` wins; else the file's `store`; else memory if the file turns persistence off;
 * else `ORCHESTRATOR_STORE`, else the default file. `serve` and `workers` both decide it here.
 * @module
 */
import type { StoreUrlKey } from '../store-url.js';
import type { Globals } from './globals.js';

/** The store URL a command uses and the key an error about it names. */
export interface ConfigStore {
  store: string;
  storeKey: StoreUrlKey;
}

/**
 * The store for a config file's `store` and `enableWorkflowPersistence` values and the global
 * store options. A file `store` that is not a string is passed on as it is, for the caller to
 * refuse naming the key.
 */
export function configStore(
  file: { store?: unknown; enableWorkflowPersistence?: unknown },
  globals: Pick<Globals, 'store' | 'storeSource' | 'storeKey'>,
): ConfigStore {
  if (globals.storeSource === 'flag') return { store: globals.store, storeKey: globals.storeKey };
  if (file.store !== undefined) return { store: file.store as string, storeKey: 'store' };
  if (file.enableWorkflowPersistence === false) return { store: 'memory', storeKey: 'store' };
  return { store: globals.store, storeKey: globals.storeKey };
}
