/**
 * A status reads the same, as JSON text, whichever way and whenever it is read: from
 * `waitForCompletion`, `getExecutionStatus` or `listExecutions`, before and after a restart, on
 * every store. PostgreSQL's jsonb keeps an object's keys in its own order (shortest first), so the
 * execution's `error` read back from it was `{ code, step, message }` while the one the engine
 * just wrote was `{ code, message, step }`: a script comparing or hashing the JSON saw a change.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, NonRetryableError } from '../../src/index.js';
import { ALL_STORE_KINDS, anyStoreUrl } from '../helpers/all-stores.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

const actions = {
  reserve: () => ({ zeta: 1, alpha: { z: 1, a: 2 } }),
  charge: () => {
    throw new NonRetryableError('card declined', { code: 'DECLINED' });
  },
};
const compensations = {
  release: () => {
    throw new NonRetryableError('release failed', { code: 'RELEASE' });
  },
};

describe.each(ALL_STORE_KINDS)('status JSON text (%s store)', (kind) => {
  it('is the same from every read, before and after a restart, error keys in order', async () => {
    const url = await anyStoreUrl(kind);
    const orch = await withOrchestrator({ store: url, actions, compensations, retryAttempts: 0 });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'charge' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w', { zz: 1, aa: { y: 1, b: 2 } });
    const waited = JSON.stringify(await orch.workflowEngine.waitForCompletion(id));
    expect(JSON.parse(waited).error).toEqual({ code: 'DECLINED', message: 'card declined', step: 'charge' });
    expect(Object.keys(JSON.parse(waited).error)).toEqual(['code', 'message', 'step']);
    expect(JSON.stringify(await orch.workflowEngine.getExecutionStatus(id))).toBe(waited);
    expect(JSON.stringify((await orch.workflowEngine.listExecutions())[0])).toBe(waited);
    if (kind === 'memory') return;
    await orch.close();
    const again = await createOrchestrator({ store: url, actions, compensations });
    try {
      expect(JSON.stringify(await again.workflowEngine.getExecutionStatus(id))).toBe(waited);
      expect(JSON.stringify((await again.workflowEngine.listExecutions())[0])).toBe(waited);
    } finally {
      await again.close();
    }
  });
});
