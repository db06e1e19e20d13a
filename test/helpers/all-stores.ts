/**
 * The three stores for engine tests whose point is that they agree: memory, a fresh SQLite file and
 * a fresh PostgreSQL schema (dropped when the test ends; an unreachable server fails the test).
 * @module
 */
import { onTestFinished } from 'vitest';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { tempSqliteUrl } from './orchestrator.js';

export const ALL_STORE_KINDS = ['memory', 'sqlite', 'postgres'] as const;
export type AnyStoreKind = (typeof ALL_STORE_KINDS)[number];

/** A store URL of `kind`, on fresh storage that is removed when the test ends. */
export async function anyStoreUrl(kind: AnyStoreKind): Promise<string> {
  if (kind === 'memory') return 'memory';
  if (kind === 'sqlite') return tempSqliteUrl();
  await assertServerReachable();
  const schema = freshSchema();
  onTestFinished(() => dropSchema(schema));
  return `${PG_URL}?schema=${schema}`;
}
