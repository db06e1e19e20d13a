/**
 * Event payloads as the engine emits them, under `exactOptionalPropertyTypes` (see
 * test/unit/consumer-types.test.ts): a step of no parallel step carries `parent: undefined` (a key
 * with no value, as `step.started`, `step.failed`, `step.cancelled` and the compensation events
 * emit it), which its type must allow.
 */
import type { OrchestratorEvents } from '../../src/index.js';

const ref = { executionId: 'exec_1', workflowId: 'w', step: 's', parent: undefined, attempt: 1 };

export const started: OrchestratorEvents['step.started'] = ref;
export const failed: OrchestratorEvents['step.failed'] = {
  ...ref,
  error: { code: 'STEP_FAILED', message: 'boom' },
  durationMs: 1,
};
export const compensationStarted: OrchestratorEvents['compensation.started'] = ref;
