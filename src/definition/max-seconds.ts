/**
 * The longest duration anything takes, apart from the definition schema, so that the CLI's
 * option parsers can check durations without loading the schema (and zod).
 * @module
 */

/** Longest duration accepted, in seconds (about 31 years), so milliseconds stay exact integers. */
export const MAX_SECONDS = 1e9;
