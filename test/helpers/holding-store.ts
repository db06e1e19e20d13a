/**
 * A store whose updates that match `held` wait for a gate: for tests that need something
 * (a `close()`, a cancel) to happen while a particular write is under way.
 * @module
 */
import { SqliteStore } from '../../src/index.js';
import type { ExecutionUpdate, Store } from '../../src/store/store.js';
import { gate } from './orchestrator.js';

/**
 * A SQLite store on `file` whose updates matching `held` wait until `release` is called;
 * `reached` resolves when the first such update arrived.
 */
export function holdingStore(file: string, held: (u: ExecutionUpdate) => boolean) {
  return holdUpdates(new SqliteStore(file), held);
}

/** `store` (of any kind) with its updates matching `held` held, as {@link holdingStore}'s. */
export function holdUpdates<S extends Store>(store: S, held: (u: ExecutionUpdate) => boolean) {
  const reached = gate();
  const release = gate();
  const update = store.update.bind(store);
  store.update = async (u) => {
    if (held(u)) {
      reached.open();
      await release.promise;
    }
    return update(u);
  };
  return { store, reached: reached.promise, release: release.open };
}
