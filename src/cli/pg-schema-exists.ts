/**
 * Whether a PostgreSQL store exists yet, so that the read-only commands (`status`, `list`,
 * `cancel`, `metrics`, `workers`) refuse a schema nobody created — a mistyped `?schema=` —
 * as they refuse a missing SQLite file, instead of creating it empty in the database.
 * @module
 */
import pg from 'pg';
import {
  bounded,
  clientConfig,
  connectClient,
  connectTimeout,
  DEFAULT_QUERY_TIMEOUT_MS,
  endClient,
} from '../store/postgres/connection.js';

/**
 * Whether `schema` holds an orchestrator store (its `schema_migrations` table) in the database
 * `url` names (`url` without the parameters the store reads: see `withoutStoreParameters`). Null
 * if the driver cannot use the URL or the query fails (or gets no answer within `queryTimeoutMs`:
 * a server gone silent): the store's own opening then reports why.
 * @throws OrchestratorError `STORE_UNAVAILABLE` if the server cannot be reached, with the message
 *   the store's opening would give (so that an unreachable server is not waited for twice).
 */
export async function pgSchemaExists(
  url: string,
  schema: string,
  queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS,
): Promise<boolean | null> {
  let client: pg.Client;
  try {
    client = new pg.Client(clientConfig(url, `orchestrator-cli:${schema}`, connectTimeout(queryTimeoutMs)));
  } catch {
    return null;
  }
  await connectClient(client, url, schema);
  try {
    const { rows } = await client.query<{ found: boolean }>(
      bounded(
        "SELECT to_regclass(format('%I.schema_migrations', $1::text)) IS NOT NULL AS found",
        queryTimeoutMs,
        [schema],
      ),
    );
    return rows[0]?.found ?? null;
  } catch {
    return null;
  } finally {
    // Within 2 s: a server gone silent never answers the goodbye.
    await endClient(client);
  }
}
