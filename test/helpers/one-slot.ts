/**
 * An orchestrator with one workflow slot, for tests of executions queued behind another: the action
 * `block` holds its slot until `hold` opens, `quick` returns at once; both record the execution ids
 * they ran for in `runs`.
 * @module
 */
import type { OrchestratorOptions } from '../../src/index.js';
import { gate, withOrchestrator } from './orchestrator.js';

export async function oneSlotOrchestrator(options: OrchestratorOptions = {}) {
  const hold = gate();
  const runs: string[] = [];
  const orch = await withOrchestrator({
    ...options,
    maxConcurrentWorkflows: 1,
    actions: {
      block: async (_input, ctx) => {
        runs.push(ctx.executionId);
        await hold.promise;
      },
      quick: (_input, ctx) => {
        runs.push(ctx.executionId);
      },
    },
  });
  return { orch, hold, runs };
}
