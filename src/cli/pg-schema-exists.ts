/**
 * Whether a PostgreSQL store exists yet, so that the read-only commands (`status`, `list`,
 * `cancel`, `metrics`, `workers`) refuse a schema nobody created — a mistyped `?schema=` —
 * as they refuse a missing SQLite file, instead of creating it empty in the database.
 * @module
 */
import pg from 'pg';
import { clientConfig, connectClient } from '../store/postgres/connection.js';

/**
 * Whether `schema` holds an orchestrator store (its `schema_migrations` table) in the database
 * `url` names (`url` without the parameters the store reads: see `withoutStoreParameters`). Null
 * if the driver cannot use the URL or the query fails: the store's own opening then reports why.
 * @throws OrchestratorError `STORE_UNAVAILABLE` if the server cannot be reached, with the message
 *   the store's opening would give (so that an unreachable server is not waited for twice).
 */
export async function pgSchemaExists(url: string, schema: string): Promise<boolean | null> {
  let client: pg.Client;
  try {
    client = new pg.Client(clientConfig(url, `orchestrator-cli:${schema}`));
  } catch {
    return null;
  }
  await connectClient(client, url);
  try {
    const { rows } = await client.query<{ found: boolean }>(
      "SELECT to_regclass(format('%I.schema_migrations', $1::text)) IS NOT NULL AS found",
      [schema],
    );
    return rows[0]?.found ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}
