/**
 * Writes a SQLite store's definition rows directly, as another release would have written them.
 */
import Database from 'better-sqlite3';

/** Replaces the stored body of a version in the SQLite store at `url` (`sqlite:<file>`). */
export function storeDefinitionBody(url: string, id: string, version: number, steps: unknown[]): void {
  const db = new Database(url.slice('sqlite:'.length));
  try {
    db.prepare('UPDATE definitions SET body = ? WHERE id = ? AND version = ?').run(
      JSON.stringify({ steps, options: {} }),
      id,
      version,
    );
  } finally {
    db.close();
  }
}
