/**
 * Virtual time for several orchestrators on one store whose I/O is real (PostgreSQL): each node
 * gets a view of one `FakeClock` that tells when its housekeeping round is armed (the round ended,
 * the next one waits on the clock), and `step()` moves time only while every node is between
 * rounds, to the next round due. Time then never jumps under a round in flight — a round that saw
 * its own lease run out while its store answered would stand back as a starved node does, and a
 * test driving the clock blindly would assert on rounds that never acted.
 * @module
 */
import type { Clock, FakeClock, TimerHandle } from '../../src/index.js';

/** One node's view of the shared clock, and when its next round is due (null while one runs). */
export interface NodeClock {
  readonly clock: Clock;
  /** When the node's next round is due, while it waits for it; null while a round runs. */
  readonly nextRoundAt: number | null;
}

/** Shared virtual time for nodes on one store. */
export interface RoundClock {
  /** A clock to give one node (its `clock` option) started with `sweepInterval` (seconds). */
  node(sweepInterval: number): NodeClock;
  /**
   * Waits (real time) until every node is between rounds, then moves time to the next round due
   * and lets that round start. Fails after `realMs` of real time with a node's round still running.
   */
  step(realMs?: number): Promise<void>;
}

/** A {@link RoundClock} on `fake`. */
export function roundClock(fake: FakeClock): RoundClock {
  const nodes: { nextRoundAt: number | null }[] = [];
  return {
    node(sweepInterval) {
      const sweepMs = sweepInterval * 1000;
      const state: { nextRoundAt: number | null } = { nextRoundAt: null };
      nodes.push(state);
      const clock: Clock = {
        now: () => fake.now(),
        setTimer(fn, ms, background): TimerHandle {
          // The round timer: a background one of the sweep interval (see LeaseKeeper.schedule).
          if (!background || ms !== sweepMs) return fake.setTimer(fn, ms);
          state.nextRoundAt = fake.now() + ms;
          const handle = fake.setTimer(() => {
            state.nextRoundAt = null;
            fn();
          }, ms);
          return {
            cancel() {
              state.nextRoundAt = null;
              handle.cancel();
            },
          };
        },
        sleep: (ms, signal) => fake.sleep(ms, signal),
      };
      return {
        clock,
        get nextRoundAt() {
          return state.nextRoundAt;
        },
      };
    },
    async step(realMs = 10_000) {
      const end = Date.now() + realMs;
      while (nodes.some((n) => n.nextRoundAt === null)) {
        if (Date.now() > end) throw new Error(`a round still running after ${realMs} ms of real time`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const due = Math.min(...nodes.map((n) => n.nextRoundAt!));
      await fake.advance(Math.max(0, due - fake.now()));
    },
  };
}
