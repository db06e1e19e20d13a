/**
 * Counts the housekeeping rounds of an orchestrator on a durable store, for tests of what does not
 * happen over several rounds: sleeping a few sweep intervals proved nothing on a loaded machine,
 * where the rounds the sleep counted on may not have run. Every round writes the node's heartbeat,
 * and a round starts only after the one before it ended.
 * @module
 */
import type { Orchestrator } from '../../src/index.js';

export interface Rounds {
  /** Heartbeats (rounds) written since the counter was made. */
  count(): number;
  /**
   * Resolves once `n` rounds whose heartbeat came after this call have ended: all they do after it
   * (cancel requests, claims, the re-read of the other nodes' counts, retention) ran after the call.
   */
  pass(n: number): Promise<void>;
}

/** Wraps `orch.store.heartbeat` to count the rounds (see the module comment). */
export function housekeepingRounds(orch: Orchestrator): Rounds {
  if (!orch.store.durable)
    throw new Error('housekeepingRounds: only a durable store has a heartbeat per round');
  let beats = 0;
  const waiting: { at: number; resolve: () => void }[] = [];
  const heartbeat = orch.store.heartbeat.bind(orch.store);
  orch.store.heartbeat = (record) => {
    beats++;
    for (const w of waiting.filter((x) => beats >= x.at)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
    return heartbeat(record);
  };
  return {
    count: () => beats,
    // The heartbeat of round n + 1 is written once round n ended.
    pass: (n) => new Promise((resolve) => waiting.push({ at: beats + n + 1, resolve })),
  };
}
