/**
 * The `delay` action's longest wait: `input.seconds` past the 1e9 s (about 31 years) that every
 * other duration takes is refused. A larger one overflowed: from about 1.8e305 s its length in
 * ms is Infinity, its wake-up time NaN, and the delay ended at once instead of waiting.
 */
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('delay longer than 1e9 seconds (%s store)', (kind) => {
  it('fails the step with INVALID_INPUT naming the limit, never ending at once', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait', action: 'delay' }]);
    for (const seconds of [Number.MAX_VALUE, 1e306, 1e9 + 1]) {
      const status = await orch.workflowEngine.waitForCompletion(
        await orch.workflowEngine.executeWorkflow('w', { seconds }),
      );
      expect(status.status, String(seconds)).toBe('failed');
      expect(status.error?.code, String(seconds)).toBe('INVALID_INPUT');
      expect(status.error?.message, String(seconds)).toBe(
        `The 'delay' action needs input.seconds as a non-negative number of at most 1000000000, got ${seconds}`,
      );
    }
  });
});
