/**
 * What the PostgreSQL store needs of its server, checked at start before anything is created:
 * - **PostgreSQL 12 or later.** The store's write transactions choose how their statements are
 *   planned (`plan_cache_mode`, new in 12): on an older server every write would fail.
 * - **A UTF8 database.** In any other server encoding (LATIN1, WIN1252, SQL_ASCII, ...) a
 *   character the encoding lacks — an emoji in a step's output — is refused by the server on
 *   every write, so an execution whose data held one could never be stored: it would be retried,
 *   its step run again and again, and never finish.
 * Either is refused at start instead, naming the database and what to do.
 * @module
 */
import type pg from 'pg';
import { OrchestratorError } from '../../errors.js';
import { bounded } from './connection.js';

/** The oldest server the store runs on, as `server_version_num`. */
export const MIN_SERVER_VERSION = 120000;

/** What the check reads of the server. */
export interface ServerFacts {
  /** `current_database()`. */
  db: string;
  /** `server_encoding`. */
  encoding: string;
  /** `server_version_num` (150020 for 15.20). */
  versionNum: number;
  /** `server_version` as the server shows it. */
  version: string;
}

/** Why the store cannot use the server `facts` describe, or null when it can. */
export function serverProblem(facts: ServerFacts): string | null {
  if (facts.versionNum < MIN_SERVER_VERSION) {
    return `PostgreSQL database '${facts.db}' is on a server of version ${facts.version}; the store needs PostgreSQL 12 or later`;
  }
  if (facts.encoding !== 'UTF8') {
    return (
      `PostgreSQL database '${facts.db}' uses the server encoding ${facts.encoding}; the store needs UTF8, ` +
      "which holds every character a workflow's data may contain (in another encoding a step output with an emoji could never be stored). " +
      `Create a UTF8 database (CREATE DATABASE name ENCODING 'UTF8' TEMPLATE template0) and point the store at it`
    );
  }
  return null;
}

/**
 * Throws `STORE_UNAVAILABLE` with {@link serverProblem} when the server `client` is connected to
 * cannot hold the store. `queryTimeoutMs` bounds the query (0: no deadline).
 */
export async function refuseUnsupportedServer(client: pg.ClientBase, queryTimeoutMs: number): Promise<void> {
  const result = await client.query<{ db: string; encoding: string; version_num: string; version: string }>(
    bounded(
      "SELECT current_database() AS db, current_setting('server_encoding') AS encoding, current_setting('server_version_num') AS version_num, current_setting('server_version') AS version",
      queryTimeoutMs,
    ),
  );
  const row = result.rows[0];
  if (!row) return;
  const problem = serverProblem({ ...row, versionNum: Number(row.version_num) });
  if (problem !== null) throw new OrchestratorError('STORE_UNAVAILABLE', problem);
}
