/**
 * Whether a node sharing a SQLite file is still alive, from any process on the host: each node
 * holds a lock on a file of its own next to the store (`<store>-nodes/<hash of its id>`), which
 * the kernel drops when its process ends, however it ends. A process in another pid namespace
 * (a restarted container: same volume, new namespace) cannot see the dead node's pid, so it waited
 * for the node's leases to run out (30 s by default) before it resumed anything; a host reboot
 * likewise. The lock tells at once. Processes sharing a SQLite file share a kernel (SQLite's own
 * locks need it), so the lock is seen wherever the store is.
 *
 * The lock is SQLite's own (a file in exclusive locking mode), taken before the file gets its
 * name, so a file found under a node's name is locked while the run that made it lives. The file
 * records a random token of that run, as the node's registry row does: a node started again under
 * the same id whose lock is elsewhere or missing is not judged by its earlier run's file (see
 * `SqliteStore.ownerGone`). Best effort:
 * where the folder cannot be written (a read-only store), nodes are judged by their leases alone.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The key of a node row's `info` under which the store records the run of the node's lock (its
 * heartbeat adds it; reads of the registry leave it out).
 */
export const LOCK_RUN_KEY = 'sqliteLockRun';

/** The lock files' suffix (others in the folder, such as a half-made one, are not probed). */
const SUFFIX = '.lock';

export class NodeLocks {
  private readonly dir: string;
  /** The locks held, by node id: the lock file's connection and the run's token it records. */
  private readonly held = new Map<string, { db: Database.Database; run: string }>();
  /** Nodes whose lock could not be taken (their leases alone tell). */
  private readonly refused = new Set<string>();

  /** @param storePath the store's database file. */
  constructor(storePath: string) {
    this.dir = `${storePath}-nodes`;
  }

  /**
   * Takes the lock of `nodeId` (once; later calls answer the same) and answers the random token of
   * this run that its file records (the registry row records it too, see `SqliteStore.heartbeat`).
   * Null when it could not be taken (the folder cannot be written).
   */
  hold(nodeId: string): string | null {
    const known = this.held.get(nodeId);
    if (known) return known.run;
    // Tried once: a heartbeat a second must not retry a folder it cannot write.
    if (this.refused.has(nodeId)) return null;
    const run = randomBytes(12).toString('hex');
    const name = lockFileName(nodeId);
    const made = join(this.dir, `${name}.${randomBytes(6).toString('hex')}.tmp`);
    let db: Database.Database | undefined;
    try {
      mkdirSync(this.dir, { recursive: true });
      db = new Database(made);
      db.pragma('locking_mode = EXCLUSIVE');
      // No journal file beside it (the driver's defensive mode refuses OFF).
      db.pragma('journal_mode = MEMORY');
      // In exclusive locking mode the first write takes the lock, kept until the file is closed.
      db.exec('CREATE TABLE node (id TEXT, run TEXT)');
      db.prepare('INSERT INTO node (id, run) VALUES (?, ?)').run(nodeId, run);
      renameSync(made, join(this.dir, name));
    } catch {
      db?.close();
      removeQuietly(made);
      this.refused.add(nodeId);
      return null;
    }
    this.held.set(nodeId, { db, run });
    return run;
  }

  /**
   * Lets go of the lock of `nodeId` and removes its file; for a node this store does not hold, removes
   * its file if the node is gone (the registry forgets a node: its file goes with its row).
   */
  release(nodeId: string): void {
    const path = join(this.dir, lockFileName(nodeId));
    const lock = this.held.get(nodeId);
    if (!lock) {
      this.probe(path, true);
      return;
    }
    this.held.delete(nodeId);
    // Removed first: a file found under the name is a locked one, or a dead node's.
    removeQuietly(path);
    lock.db.close();
  }

  /** Lets go of every lock this store holds. */
  releaseAll(): void {
    for (const nodeId of [...this.held.keys()]) this.release(nodeId);
  }

  /**
   * When the lock file of `nodeId` is there and nobody holds it: the token of the node's run that
   * made it (its process has ended; the caller checks that the node was not started again since,
   * under the same id, with its lock elsewhere or none). Null when it is held, or there is
   * no file to tell (a node of an earlier release, or one that could not make it): its leases
   * decide. The file stays, so every process can tell, until the registry forgets the node
   * ({@link release}).
   */
  freeLockRun(nodeId: string): string | null {
    if (this.held.has(nodeId)) return null;
    return this.probe(join(this.dir, lockFileName(nodeId)), false);
  }

  /**
   * The run token the lock file at `path` records when it is there and free (`remove`: then
   * removed), else null.
   */
  private probe(path: string, remove: boolean): string | null {
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true, timeout: 0 });
    } catch {
      return null;
    }
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch {
      // Held (SQLITE_BUSY): the node lives. Any other failure tells nothing either.
      db.close();
      return null;
    }
    try {
      const row = db.prepare('SELECT run FROM node').get() as { run?: unknown } | undefined;
      // Removed while this connection holds the lock, so no node is naming its file meanwhile.
      if (remove) removeQuietly(path);
      db.exec('ROLLBACK');
      return typeof row?.run === 'string' ? row.run : null;
    } catch {
      // Unreadable (a file not made by a node): tells nothing.
      return null;
    } finally {
      db.close();
    }
  }
}

/** Removes a file if it can (a file left behind costs a few kilobytes, nothing else). */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left.
  }
}

/** A node's lock file name: node ids hold `/` and may be 512 characters long. */
export function lockFileName(nodeId: string): string {
  return `${createHash('sha256').update(nodeId).digest('hex').slice(0, 32)}${SUFFIX}`;
}
