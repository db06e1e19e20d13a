/**
 * One transaction on a connection of its own from the pool, outside the write lanes: the store's
 * purge and its read of what an owner holds.
 * @module
 */
import type pg from 'pg';
import { poolError } from './connection.js';

/**
 * Opens a transaction with `begin` on a pool connection, runs `body` in it and commits. The
 * connection goes back to the pool after the commit; one whose transaction failed or may still be
 * open is discarded instead (not handed out again).
 * @throws `STORE_UNAVAILABLE` (or another store error) when connecting, a statement or the commit fails.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  body: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw poolError(pool, error);
  }
  let result: T;
  try {
    await client.query(begin);
    result = await body(client);
    await client.query('COMMIT');
  } catch (error) {
    client.release(error as Error);
    throw poolError(pool, error);
  }
  client.release();
  return result;
}
