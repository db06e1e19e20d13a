/**
 * The definition format levels: which keys and expression functions each release added, so that
 * a node places a version only on nodes that can read it (see `format.ts`).
 *
 * A release that adds a definition key (a step kind, a step, retry or workflow option) or an
 * expression function raises {@link DEFINITION_FORMAT} by one and lists what it added under the
 * new level in {@link FORMAT_ADDITIONS} (an upgrade of the expression library that brings new
 * functions counts too; `test/unit/definition/format-baseline.test.ts` fails on a schema key that is
 * in neither). A release that changes what an expression evaluates to, or which expressions a
 * definition may hold, raises it too, with `expressions: true`: an older node would read such a
 * version and give other results. Everything not listed there is format 1, what every release reads, including the
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
  /**
   * The level changed how expressions evaluate, so a version with any condition or input
   * expression needs it (the changes are too many and too fine to tell from the text which
   * expressions they touch; keeping a version off older nodes is the safe side).
   */
  expressions?: boolean;
}

/** The definition format this release reads (and advertises in its heartbeat). */
export const DEFINITION_FORMAT = 2;

/** What each level above 1 added, up to {@link DEFINITION_FORMAT}. */
export const FORMAT_ADDITIONS: readonly FormatAddition[] = [
  // Level 2 (2026-12-07): the expression fixes since format levels began (2026-11-30) — mixed
  // int/uint/double equality and arithmetic, conversions of text, timestamps and bytes, list
  // indexes, map keys, RE2 patterns and the checks that refuse expressions when defined.
  { level: 2, expressions: true },
];
