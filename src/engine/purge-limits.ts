/**
 * The limits of one purge, apart from the retention code, so that `orchestrator purge` can check
 * its `--limit` option without loading the engine.
 * @module
 */

/** Default, and largest, `limit` of one `purgeExecutions` call. */
export const PURGE_DEFAULT_LIMIT = 10_000;
export const PURGE_MAX_LIMIT = 1_000_000;
