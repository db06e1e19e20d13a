/**
 * `orchestrator backup <file>`: a consistent copy of the SQLite store, taken while it runs (see
 * `../sqlite-backup.ts`). A PostgreSQL store is backed up with PostgreSQL's own tools; the memory
 * store has nothing to keep.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ident } from '../../store/postgres/connection.js';
import type { PostgresStore } from '../../store/postgres/postgres-store.js';
import { UsageError } from '../errors.js';
import { formatDuration, plural, printable } from '../format.js';
import { setup } from '../globals.js';
import { backUpSqlite } from '../sqlite-backup.js';
import { existingStore, lazyStore, sqliteFile } from '../store-client.js';
import { renderPairs } from '../table.js';

/** `bytes` as people read a file's size: `4.2 MiB`, `96 KiB`, `512 bytes`. */
function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : plural(bytes, 'byte');
}

/** Runs `backup`. */
export async function backupCommand(destination: string, command: Command): Promise<void> {
  const { globals, out } = setup(command);
  // Refused before anything is opened or connected to: only a SQLite file is copied here.
  const store = await lazyStore(globals.store, globals.storeKey);
  const file = sqliteFile(globals.store);
  if (store.kind === 'postgres') {
    const { schema } = store as PostgresStore;
    throw new UsageError(
      `backup copies a SQLite store; back up a PostgreSQL store with PostgreSQL's tools, e.g. pg_dump --schema=${ident(schema)} <database> (its tables are in the schema ${JSON.stringify(schema)})`,
    );
  }
  if (file === null) {
    throw new UsageError(
      `store '${globals.storeLabel}' lives in this process only: there is nothing to back up`,
    );
  }
  await existingStore(globals.store, globals.storeKey, store);
  const target = resolve(destination);
  if (existsSync(target)) {
    throw new UsageError(
      `backup file '${destination}' exists already: name a new file (a backup never overwrites one)`,
    );
  }
  if (!existsSync(dirname(target))) {
    throw new UsageError(
      `backup file '${destination}': its folder ${dirname(target)} does not exist (create it first)`,
    );
  }
  const started = performance.now();
  const facts = backUpSqlite(file, target);
  const ms = performance.now() - started;
  process.exitCode = 0;
  if (out.json) {
    out.data({ store: globals.storeLabel, file, backup: target, ...facts, durationMs: Math.round(ms) });
    return;
  }
  out.line(
    `Backed up ${printable(globals.storeLabel)} to ${printable(target)}.`,
    ...renderPairs([
      ['executions', plural(facts.executions, 'execution')],
      ['size', sizeText(facts.bytes)],
      ['took', formatDuration(ms)],
    ]),
  );
}
