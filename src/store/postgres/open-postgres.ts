/**
 * The PostgreSQL store a `postgres://` URL names (see `openStore`).
 * @module
 */
import { ValidationError } from '../../errors.js';
import { DEFAULT_IDLE_IN_TRANSACTION_MS } from './connection.js';
import type { PostgresStoreOptions } from './options.js';
import { fromConfigStore, PostgresStore } from './postgres-store.js';
import {
  checkUrlOptions,
  connectionStringProblem,
  storeParameterOptions,
  withoutStoreParameters,
} from './url-options.js';

/** A third of the lease (whole milliseconds, at least 1) when shorter than the store's default. */
function idleInTransactionMs(leaseSeconds: number | undefined): number {
  if (leaseSeconds === undefined) return DEFAULT_IDLE_IN_TRANSACTION_MS;
  return Math.max(1, Math.min(DEFAULT_IDLE_IN_TRANSACTION_MS, Math.floor((leaseSeconds * 1000) / 3)));
}

/**
 * The {@link PostgresStore} of a `postgres://` URL (not initialised yet), with its
 * `STORE_URL_PARAMETERS` taken out: `?schema=`, `?poolSize=`, `?writeLanes=`, `?queryTimeoutMs=`,
 * `?idleInTransactionTimeoutMs=` and `?migrationLockTimeoutMs=` are the options of those names.
 * With `leaseSeconds` (the node's lease), and no `?idleInTransactionTimeoutMs=`, its sessions end
 * a transaction left idle for a third of it, if that is shorter than the store's default (see
 * `openStore`).
 * @throws ValidationError naming `store` for a URL that does not parse, a parameter refused by
 *   `checkUrlOptions`, or an option the store refuses (said as the parameter that gave it).
 */
export function openPostgres(target: string, node: { leaseSeconds?: number } = {}): PostgresStore {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    // Which URL (masked) and what usually makes one unparsable, as `new PostgresStore(url)` says.
    const message = connectionStringProblem(target) ?? 'Cannot use the PostgreSQL URL: it does not parse';
    throw new ValidationError([{ path: 'store', message }], 'Invalid config');
  }
  // Before they are taken out: `?schema=a&schema=b` is refused too. Their values are checked as
  // the options they give (below).
  checkUrlOptions(target, { storeParameters: true });
  const options: PostgresStoreOptions = {
    idleInTransactionTimeoutMs: idleInTransactionMs(node.leaseSeconds),
    ...storeParameterOptions(url.searchParams),
  };
  try {
    return fromConfigStore(new PostgresStore(withoutStoreParameters(target), options));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The options' issues are named by option: each is the URL parameter of that name.
    throw new ValidationError(
      error.issues.map((issue) => ({
        path: 'store',
        message: `the parameter '${issue.path}': ${issue.message}`,
      })),
      'Invalid config',
    );
  }
}
