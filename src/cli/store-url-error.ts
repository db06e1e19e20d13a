/**
 * How the CLI reports a store URL that opening the store refuses, headed by where it came from.
 * @module
 */
import { ValidationError } from '../errors.js';
import { type StoreUrlKey, storeErrorAt } from '../store-url.js';
import { UsageError } from './errors.js';

/**
 * `error` naming where the store URL came from (see `storeErrorAt`). One about a `--store` URL is
 * a `UsageError` headed `--store: …`, as the CLI's other option errors (`--input: …`) and its
 * shape check of the URL are, not `Invalid config: --store: …`: a flag is no config key. The
 * config file's `store` and ORCHESTRATOR_STORE stay `Invalid config: <key>: …`.
 */
export function cliStoreError(error: unknown, key: StoreUrlKey): unknown {
  const named = storeErrorAt(error, key);
  if (key !== '--store' || !(named instanceof ValidationError)) return named;
  if (!named.issues.some((issue) => issue.path === key)) return named;
  const problems = named.issues.map((issue) =>
    issue.path === key || !issue.path ? issue.message : `${issue.path}: ${issue.message}`,
  );
  return new UsageError(`--store: ${problems.join('; ')}`, { cause: error });
}
