/**
 * The `step.completed` event of a step or parallel branch. Its `output` is the listener's own copy
 * (the record's output is the engine's: later steps read it), made on first read only: a listener
 * that reads only the timing (the Prometheus exporter) costs no copy.
 * @module
 */
import { copyJson } from '../json-value.js';
import type { StepRecord } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';

/** Each payload's output as the engine keeps it, until a listener reads its copy. */
const raw = new WeakMap<object, unknown>();

/** The first read copies the output and turns `output` into a plain value property. */
function readOutput(this: object): unknown {
  const copy = copyJson(raw.get(this));
  Object.defineProperty(this, 'output', {
    value: copy,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/** One getter shared by every payload (an enumerable own property: spreads and JSON keep it). */
const OUTPUT: PropertyDescriptor = { get: readOutput, enumerable: true, configurable: true };

/** Emits `step.completed` for `rec` (a branch of `parent` when given), if anyone listens. */
export function emitStepCompleted(
  ctx: EngineContext,
  ex: ActiveExecution,
  rec: StepRecord,
  parent?: string,
): void {
  if (!ctx.events.has('step.completed')) return;
  const payload = {
    executionId: ex.id,
    workflowId: ex.record.workflowId,
    step: rec.name,
    ...(parent === undefined ? {} : { parent }),
    attempt: rec.attempts,
    durationMs: rec.durationMs ?? 0,
  };
  raw.set(payload, rec.output);
  Object.defineProperty(payload, 'output', OUTPUT);
  ctx.events.emit('step.completed', payload as typeof payload & { output: unknown });
}
