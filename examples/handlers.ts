/**
 * Handlers of the four example workflows, for `orchestrator run --handlers`: simulated
 * services with realistic latencies and switchable failures (see `services/simulation.ts`).
 * Built to `dist/examples/handlers.js`.
 *
 * In your own project, import from `orchestrator` instead of `../src/index.js`.
 * @module
 */
import type { ActionHandler, CompensationHandler } from '../src/index.js';
import { orderActions, orderCompensations } from './services/orders.js';
import { pipelineActions, pipelineCompensations } from './services/pipeline.js';
import { registrationActions, registrationCompensations } from './services/registration.js';
import { voiceActions, voiceCompensations } from './services/voice.js';

/** Step handlers by action name. */
export const actions: Record<string, ActionHandler> = {
  ...voiceActions,
  ...registrationActions,
  ...pipelineActions,
  ...orderActions,
};

/** Compensation handlers by name. */
export const compensations: Record<string, CompensationHandler> = {
  ...voiceCompensations,
  ...registrationCompensations,
  ...pipelineCompensations,
  ...orderCompensations,
};
