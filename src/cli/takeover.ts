/**
 * Cancelling an orphaned execution (no live owner): this process takes it over with an
 * orchestrator whose store only ever claims that one execution — so opening it does not resume
 * or run any other execution — after a cancel request is stored, so the resumed runner cancels
 * it (compensating completed steps) before running anything.
 * @module
 */
import { createOrchestrator } from '../orchestrator.js';
import { openStore } from '../store/open-store.js';
import type { ClaimRequest, Store } from '../store/store.js';
import type { ExecutionStatus } from '../types.js';
import type { Handlers } from './handlers-module.js';
import { cliLogger } from './logger.js';

/**
 * A view of `store` whose claims are limited to `ids`: every other method is the store's own.
 * The orchestrator's crash recovery and its periodic sweep then adopt nothing else.
 */
export function claimOnly(store: Store, ids: readonly string[]): Store {
  const claimExecutions = (request: ClaimRequest) => store.claimExecutions({ ...request, ids: [...ids] });
  return new Proxy(store, {
    get(target, key) {
      if (key === 'claimExecutions') return claimExecutions;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Takes over an orphaned execution and cancels it. The caller must have stored a cancel request
 * (`store.requestCancel`) first. Resolves with the final status, or the current one if it did not
 * finish within `timeout` seconds.
 */
export async function cancelOrphan(
  storeUrl: string,
  id: string,
  handlers: Handlers,
  timeout: number,
): Promise<ExecutionStatus | null> {
  const logger = cliLogger();
  const orch = await createOrchestrator({
    store: claimOnly(openStore(storeUrl), [id]),
    // Not a cluster node: other nodes must not place their new executions on this process.
    cluster: false,
    ...handlers,
    ...(logger ? { logger } : {}),
  });
  try {
    // The cancel resolves once its saga ended, which a slow or stuck compensation may never do:
    // the wait ends at `timeout` all the same, and the close below stops the saga (the stored
    // cancel request has the next orchestrator that opens the store finish it).
    const finished = orch.workflowEngine.waitForCompletion(id, { timeout }).catch(() => null);
    const cancelling = orch.workflowEngine.cancelWorkflow(id);
    const status = await Promise.race([cancelling.then(() => finished), finished]);
    return status ?? (await orch.workflowEngine.getExecutionStatus(id));
  } finally {
    await orch.close();
  }
}
