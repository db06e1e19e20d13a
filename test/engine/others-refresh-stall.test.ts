/**
 * The re-read of the other processes' metrics counts is spaced by its cost (at most ~2 % of the
 * time), measured as the time the read took. A process stopped in the middle of a read (SIGSTOP, a
 * VM paused, a long GC) measured the whole stall as the read's cost and waited 50 times the stall
 * before the next read: a node resumed after 3 s counted nothing the other nodes did for 150 s.
 * A read is now spaced by the cheaper of its last two: one stall does not count as the store's cost,
 * while a store that is slow for real still gets its reads spaced.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OthersRefresh } from '../../src/engine/others-refresh.js';

/** A refresher on a store whose reads take `cost()` ms (wall clock and monotonic time alike). */
function refresher(cost: () => number) {
  const time = { wall: Date.UTC(2026, 0, 2), mono: 1000 };
  vi.spyOn(performance, 'now').mockImplementation(() => time.mono);
  let reads = 0;
  const ctx = {
    clock: { now: () => time.wall, setTimer: () => ({ cancel() {} }), sleep: async () => {} },
    config: { sweepInterval: 0.2 },
    store: {
      durable: true,
      aggregateByWorkflow: async () => {
        reads++;
        const ms = cost();
        time.wall += ms;
        time.mono += ms;
        return new Map();
      },
    },
    metrics: { takeOthersMoved: () => true, setOthers() {}, markOthersMoved() {} },
  };
  const refresh = new OthersRefresh(ctx as never);
  return {
    reads: () => reads,
    advance(ms: number) {
      time.wall += ms;
      time.mono += ms;
    },
    run: () => refresh.run(),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the re-read of the other processes’ counts', () => {
  it('goes on a sweep interval after a read the process was stopped in, not 50 times the stall', async () => {
    let stallMs = 0;
    const r = refresher(() => stallMs || 2);
    await r.run();
    r.advance(200);
    stallMs = 3000; // SIGSTOP in the middle of this read, SIGCONT 3 s later
    await r.run();
    stallMs = 0;
    expect(r.reads()).toBe(2);
    r.advance(200);
    await r.run();
    expect(r.reads()).toBe(3);
  });

  it('goes on a sweep interval after a first read the process was stopped in', async () => {
    let stallMs = 3000;
    const r = refresher(() => stallMs);
    await r.run();
    stallMs = 2;
    r.advance(200);
    await r.run();
    expect(r.reads()).toBe(2);
  });

  it('still takes at most ~2 % of the time on a store whose reads are slow', async () => {
    const r = refresher(() => 100);
    await r.run();
    // The first read has none to compare with: the next follows a sweep interval after it.
    r.advance(100);
    await r.run();
    await r.run();
    expect(r.reads()).toBe(2);
    // From then on 50 times a read's 100 ms after it: none 4.9 s later, one 5 s later.
    r.advance(4800);
    await r.run();
    expect(r.reads()).toBe(2);
    r.advance(100);
    await r.run();
    expect(r.reads()).toBe(3);
    for (let i = 0; i < 9; i++) {
      r.advance(1000);
      await r.run();
    }
    // In the 9 s after the third read: one more read (5 s after it), not one per second.
    expect(r.reads()).toBe(4);
  });
});
