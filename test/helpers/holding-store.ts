/**
 * A SQLite store whose updates that match `held` wait for a gate: for tests that need something
 * (a `close()`, a cancel) to happen while a particular write is under way.
 * @module
 */
import { SqliteStore } from '../../src/index.js';
import type { ExecutionUpdate } from '../../src/store/store.js';
import { gate } from './orchestrator.js';

/**
 * A SQLite store on `file` whose updates matching `held` wait until `release` is called;
 * `reached` resolves when the first such update arrived.
 */
export function holdingStore(file: string, held: (u: ExecutionUpdate) => boolean) {
  const store = new SqliteStore(file);
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
