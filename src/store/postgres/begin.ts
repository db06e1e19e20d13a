/**
 * How the store's pool opens a transaction: `BEGIN` with its isolation level, then the
 * idle-in-transaction timeout (PostgreSQL's `idle_in_transaction_session_timeout`, see
 * `DEFAULT_IDLE_IN_TRANSACTION_MS`) for that transaction only, in the same simple-query message.
 *
 * Set per transaction, not per connection: as a connection's startup parameter it is refused by
 * PgBouncer ("unsupported startup parameter"), so the store could not connect through it at all;
 * and a session-wide `SET` would stay, behind a pooler in transaction mode, on a server connection
 * that other clients then use. `SET LOCAL` ends with the transaction wherever it ran.
 * @module
 */

/**
 * The statement that opens a transaction of the given `mode` (`ISOLATION LEVEL READ COMMITTED`,
 * ...) whose session the server ends after `idleInTransactionMs` idle inside it (0: never).
 */
export function beginStatement(mode: string, idleInTransactionMs: number): string {
  return `BEGIN ${mode}; SET LOCAL idle_in_transaction_session_timeout = ${idleInTransactionMs}`;
}
