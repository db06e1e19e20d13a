/**
 * Holds one housekeeping round of an orchestrator open, for tests of what happens meanwhile (a
 * `close()` waits for the round under way): once armed, the round's cancel-request read waits
 * until released.
 * @module
 */
import type { Store } from '../../src/store/store.js';
import { gate } from './orchestrator.js';

export interface HeldRound {
  /** Holds the next round at its cancel-request read; resolves once a round is held there. */
  hold(): Promise<void>;
  /** Lets the held round go on. */
  release(): void;
}

/** Wraps `store.listCancelRequests` so that a round can be held (see the module comment). */
export function holdableRounds(store: Pick<Store, 'listCancelRequests'>): HeldRound {
  let armed = false;
  const inRound = gate();
  const endRound = gate();
  const list = store.listCancelRequests.bind(store);
  store.listCancelRequests = async (owner) => {
    if (armed) {
      armed = false;
      inRound.open();
      await endRound.promise;
    }
    return list(owner);
  };
  return {
    hold: async () => {
      armed = true;
      await inRound.promise;
    },
    release: () => endRound.open(),
  };
}
