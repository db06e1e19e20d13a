/**
 * The definition format levels: which keys and expression functions each release added, so that
 * a node places a version only on nodes that can read it (see `format.ts`).
 *
 * A release that adds a definition key (a step kind, a step, retry or workflow option) or an
 * expression function raises {@link DEFINITION_FORMAT} by one and lists what it added under the
 * new level in {@link FORMAT_ADDITIONS} (an upgrade of the expression library that brings new
 * functions counts too; `test/unit/definition/format-baseline.test.ts` fails on a schema key that is
 * in neither). Everything not listed there is format 1, what every release reads, including the
 * releases whose heartbeat does not say which format they read.
 * @module
 */

/** What one format level added to the definitions the level before it could read. */
export interface FormatAddition {
  /** The level (2 and up). */
  level: number;
  /**
   * Keys, as `<place>.<key>`: `action.` (an action step or a parallel step's branch; a new step
   * kind is a new key there), `condition.`, `parallel.`, `retry.` or `options.`.
   */
  keys?: readonly string[];
  /** Expression functions (global or receiver-style), by name. */
  functions?: readonly string[];
}

/** The definition format this release reads (and advertises in its heartbeat). */
export const DEFINITION_FORMAT = 1;

/** What each level above 1 added, up to {@link DEFINITION_FORMAT}. */
export const FORMAT_ADDITIONS: readonly FormatAddition[] = [];
