/**
 * Handlers whose work runs in another process (a remote worker's action, behind the hub's proxy):
 * the process running the engine cannot be taken down by them, so a restart of that process while
 * they wait is not counted against `maxStepInterruptions`.
 * @module
 */
import type { ActionHandler } from '../types.js';

const OUT_OF_PROCESS = Symbol('orchestrator.outOfProcess');

/** Marks `handler` as running its work in another process; returns it. */
export function markOutOfProcess<H extends ActionHandler>(handler: H): H {
  Object.defineProperty(handler, OUT_OF_PROCESS, { value: true });
  return handler;
}

/** Whether `handler` was marked with {@link markOutOfProcess}. */
export function runsOutOfProcess(handler: ActionHandler | undefined): boolean {
  return handler !== undefined && (handler as { [OUT_OF_PROCESS]?: boolean })[OUT_OF_PROCESS] === true;
}
