/**
 * The PostgreSQL store a `postgres://` URL names (see `openStore`).
 * @module
 */
import { ValidationError } from '../../errors.js';
import { DEFAULT_IDLE_IN_TRANSACTION_MS } from './connection.js';
import { fromConfigStore, PostgresStore } from './postgres-store.js';
import { checkUrlOptions, connectionStringProblem } from './url-options.js';

/** A third of the lease (whole milliseconds, at least 1) when shorter than the store's default. */
function idleInTransactionMs(leaseSeconds: number | undefined): number {
  if (leaseSeconds === undefined) return DEFAULT_IDLE_IN_TRANSACTION_MS;
  return Math.max(1, Math.min(DEFAULT_IDLE_IN_TRANSACTION_MS, Math.floor((leaseSeconds * 1000) / 3)));
}

/**
 * The {@link PostgresStore} of a `postgres://` URL (not initialised yet), with its `?schema=`
 * parameter taken out. With `leaseSeconds` (the node's lease), its sessions end a transaction
 * left idle for a third of it, if that is shorter than the store's default (see `openStore`).
 */
export function openPostgres(target: string, node: { leaseSeconds?: number } = {}): PostgresStore {
  const idleInTransactionTimeoutMs = idleInTransactionMs(node.leaseSeconds);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    // Which URL (masked) and what usually makes one unparsable, as `new PostgresStore(url)` says.
    const message = connectionStringProblem(target) ?? 'Cannot use the PostgreSQL URL: it does not parse';
    throw new ValidationError([{ path: 'store', message }], 'Invalid config');
  }
  // Before `schema` is taken out: `?schema=a&schema=b` is refused too.
  checkUrlOptions(target, { schemaParameter: true });
  const schema = url.searchParams.get('schema');
  if (schema === null) return fromConfigStore(new PostgresStore(target, { idleInTransactionTimeoutMs }));
  url.searchParams.delete('schema');
  try {
    return fromConfigStore(new PostgresStore(url.toString(), { schema, idleInTransactionTimeoutMs }));
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(
        [
          {
            path: 'store',
            message: `the parameter 'schema': ${error.issues.map((i) => i.message).join('; ')}`,
          },
        ],
        'Invalid config',
      );
    }
    throw error;
  }
}
