/**
 * `orch.errorRecovery` waits its backoff on the orchestrator's clock (DESIGN §1: time comes from
 * the injected Clock), so with a FakeClock `retryStep` resolves when virtual time passes, not
 * after real seconds.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

describe("orch.errorRecovery and the orchestrator's clock", () => {
  it('waits the backoff of retryStep in virtual time', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ clock });
    let done = false;
    const retry = orch.errorRecovery.retryStep('api_call').then((ok) => {
      done = ok;
    });
    await clock.advance(999);
    expect(done).toBe(false);
    await clock.advance(1);
    await Promise.race([retry, new Promise((r) => setTimeout(r, 200))]);
    expect(done).toBe(true);
  });
});
