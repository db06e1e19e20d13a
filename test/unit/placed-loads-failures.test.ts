/**
 * The background re-read of the cluster's loads after a placement elsewhere (`placed-loads.ts`)
 * runs off the submission's path: whatever goes wrong in it (a custom store's `loadByOwner` that
 * throws at once, loads the balancer refuses) is logged and left to housekeeping. It neither fails
 * the submission that triggered it, nor ends as an unhandled rejection (which stops the process),
 * nor stops later re-reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import type { EngineContext } from '../../src/engine/context.js';
import { PlacedLoads, REREAD_MS } from '../../src/engine/placed-loads.js';

/** Flushes the promise callbacks and the `unhandledRejection` check that follows them. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function context(clock: FakeClock, loadByOwner: () => Promise<Record<string, number>>) {
  const logged: string[] = [];
  const ctx = {
    clock,
    config: { sweepInterval: 10 },
    store: { loadByOwner },
    logger: { debug: (_: unknown, message: string) => logged.push(message) },
  } as unknown as EngineContext;
  return { ctx, logged };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
});

describe('PlacedLoads re-read failures', () => {
  it('logs loads the balancer refuses instead of leaving an unhandled rejection', async () => {
    process.on('unhandledRejection', onUnhandled);
    const clock = new FakeClock();
    // A custom store that forgot to convert PostgreSQL's count(*) (a string) to a number.
    const { ctx, logged } = context(clock, async () => ({ other: '3' as unknown as number }));
    let applied = 0;
    const loads = new PlacedLoads(
      ctx,
      () => {
        applied++;
        throw new Error('Invalid load: expected a count');
      },
      () => false,
    );
    loads.placedElsewhere('other');
    await settle();
    await settle();
    expect(applied).toBe(1);
    expect(unhandled).toEqual([]);
    expect(logged).toEqual(['reading the cluster loads failed']);
    // And the next placement, a gap later, reads again.
    await clock.advance(REREAD_MS);
    loads.placedElsewhere('other');
    await settle();
    expect(applied).toBe(2);
  });

  it('does not throw into the submission when loadByOwner throws at once, and reads again later', async () => {
    const clock = new FakeClock();
    let reads = 0;
    const { ctx, logged } = context(clock, () => {
      reads++;
      throw new Error('not connected');
    });
    const loads = new PlacedLoads(
      ctx,
      () => undefined,
      () => false,
    );
    expect(() => loads.placedElsewhere('other')).not.toThrow();
    await settle();
    expect(logged).toEqual(['reading the cluster loads failed']);
    await clock.advance(REREAD_MS);
    loads.placedElsewhere('other');
    await settle();
    expect(reads).toBe(2);
  });

  it('keeps no placements to add once reads that failed leave none under way', async () => {
    const clock = new FakeClock();
    const { ctx } = context(clock, () => Promise.reject(new Error('connection lost')));
    const loads = new PlacedLoads(
      ctx,
      () => undefined,
      () => false,
    );
    for (let i = 0; i < 100; i++) {
      loads.placedElsewhere('other');
      await settle();
      await clock.advance(REREAD_MS);
    }
    // Each read started after the placements before it: none of them is needed by a later read.
    expect((loads as unknown as { stored: unknown[] }).stored).toEqual([]);
  });
});
