/**
 * Exit codes of the CLI: 0 success, 1 failure (an execution that did not complete, a runtime
 * error), 2 usage error (bad arguments, files, JSON or definitions), 130 interrupted (Ctrl-C).
 * A module of its own, importing nothing, so that the entry point can use it before it loads
 * the rest.
 * @module
 */

/** Exit codes of the CLI. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
} as const;
