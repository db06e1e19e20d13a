/**
 * The PostgreSQL store needs a UTF8 database. In any other server encoding (LATIN1, WIN1252,
 * SQL_ASCII, ...) a character the encoding lacks — an emoji in a step's output — is refused by
 * the server on every write, so an execution whose data held one could never be stored: it would
 * be retried, its step run again and again, and never finish. The store is refused at start
 * instead, before anything is created, naming the database and what to do.
 * @module
 */
import type pg from 'pg';
import { OrchestratorError } from '../../errors.js';
import { bounded } from './connection.js';

/**
 * Throws `STORE_UNAVAILABLE` unless the database `client` is connected to uses the server
 * encoding UTF8. `queryTimeoutMs` bounds the query (0: no deadline).
 */
export async function refuseNonUtf8(client: pg.ClientBase, queryTimeoutMs: number): Promise<void> {
  const result = await client.query<{ encoding: string; db: string }>(
    bounded(
      "SELECT current_setting('server_encoding') AS encoding, current_database() AS db",
      queryTimeoutMs,
    ),
  );
  const row = result.rows[0];
  if (!row || row.encoding === 'UTF8') return;
  throw new OrchestratorError(
    'STORE_UNAVAILABLE',
    `PostgreSQL database '${row.db}' uses the server encoding ${row.encoding}; the store needs UTF8, ` +
      "which holds every character a workflow's data may contain (in another encoding a step output with an emoji could never be stored). " +
      `Create a UTF8 database (CREATE DATABASE name ENCODING 'UTF8' TEMPLATE template0) and point the store at it`,
  );
}
