/**
 * `orchestrator migrate`: opens the store, which creates it if needed and applies pending schema
 * migrations, and reports which store it is.
 * @module
 */
import type { Command } from 'commander';
import { plural, printable } from '../format.js';
import { setup } from '../globals.js';
import { inProcessStore, StoreClient, sqliteFile } from '../store-client.js';
import { renderPairs } from '../table.js';

/** Runs `migrate`. */
export async function migrateCommand(command: Command): Promise<void> {
  const { globals, out } = setup(command);
  const client = await StoreClient.open(globals.store, { create: true, key: globals.storeKey });
  const { kind } = client.store;
  const durable = client.store.durable && !inProcessStore(globals.store);
  // The SQLite and PostgreSQL stores say which migrations their opening applied.
  const applied = [...((client.store as { migrationsApplied?: readonly number[] }).migrationsApplied ?? [])];
  await client.close();
  const file = sqliteFile(globals.store);
  process.exitCode = 0;
  if (out.json) {
    out.data({
      store: globals.storeLabel,
      kind,
      durable,
      ...(file ? { file } : {}),
      migrated: true,
      applied,
    });
    return;
  }
  out.line(
    applied.length === 0
      ? `Store ${printable(globals.storeLabel)} is up to date: no migration to apply.`
      : `Store ${printable(globals.storeLabel)} is up to date: applied ${plural(applied.length, 'migration')} (${applied.map((v) => String(v).padStart(3, '0')).join(', ')}).`,
    ...renderPairs([
      ['kind', `${kind}${durable ? '' : ' (not durable: nothing is kept after this process)'}`],
      ...(file ? ([['file', printable(file)]] as [string, string][]) : []),
      [
        'source',
        globals.storeSource === 'flag'
          ? '--store'
          : globals.storeSource === 'env'
            ? 'ORCHESTRATOR_STORE'
            : 'default',
      ],
    ]),
  );
}
