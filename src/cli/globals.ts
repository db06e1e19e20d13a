/**
 * The global options every command takes (`--json`, `--store <url>`) and the store URL they
 * select (SPEC §2): the flag, else `ORCHESTRATOR_STORE`, else the default SQLite file.
 * @module
 */
import type { Command } from 'commander';
import { redactRefusedUrl, redactUrl } from '../redact-url.js';
import { DEFAULT_SQLITE_STORE, type StoreUrlKey } from '../store-url.js';
import { nonUtf8StoreVariable } from './argv-utf8.js';
import { consoleToStderr } from './console-to-stderr.js';
import { UsageError } from './errors.js';
import { Output } from './output.js';

/** Global options, resolved. */
export interface Globals {
  json: boolean;
  /** The store URL in effect. */
  store: string;
  /** The store URL to show: its password (and user) masked. */
  storeLabel: string;
  /** Where the store URL came from. */
  storeSource: 'flag' | 'env' | 'default';
  /** How an error about the store URL names where it came from: `--store`, `ORCHESTRATOR_STORE` or `store`. */
  storeKey: StoreUrlKey;
}

/**
 * The store URL: explicit flag, else env `ORCHESTRATOR_STORE`, else `sqlite:./data/orchestrator.sqlite`.
 * An empty flag (`--store "$STORE"` with `STORE` unset) is kept, for {@link globalsOf} to refuse:
 * falling back would put the work on the default SQLite file instead of the store meant.
 */
export function resolveCliStore(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Pick<Globals, 'store' | 'storeSource'> {
  if (flag !== undefined) return { store: flag, storeSource: 'flag' };
  const fromEnv = env.ORCHESTRATOR_STORE;
  if (fromEnv) return { store: fromEnv, storeSource: 'env' };
  return { store: DEFAULT_SQLITE_STORE, storeSource: 'default' };
}

/** Store URLs the CLI accepts (as the config does). */
const STORE_URL = /^(memory|sqlite:.+|postgres(ql)?:\/\/.+)$/;

/** Global options as seen from a (sub)command. @throws UsageError for a malformed store URL. */
export function globalsOf(command: Command): Globals {
  const opts = command.optsWithGlobals<{ json?: boolean; store?: string }>();
  const store = resolveCliStore(opts.store);
  // The flag's value is checked with the other arguments; the variable's would open another file
  // than the one named (each byte Node cannot read becomes U+FFFD).
  const notUtf8 = store.storeSource === 'env' ? nonUtf8StoreVariable(store.store) : null;
  if (notUtf8 !== null) throw new UsageError(notUtf8);
  if (!STORE_URL.test(store.store)) {
    const from = store.storeSource === 'env' ? 'ORCHESTRATOR_STORE' : '--store';
    throw new UsageError(
      `${from} must be "sqlite:<path>", "memory" or "postgres://...", got ${JSON.stringify(redactRefusedUrl(store.store))}`,
    );
  }
  const storeKey: StoreUrlKey =
    store.storeSource === 'flag' ? '--store' : store.storeSource === 'env' ? 'ORCHESTRATOR_STORE' : 'store';
  return { json: opts.json === true, ...store, storeLabel: redactUrl(store.store), storeKey };
}

/** The global options and an output channel for a command. */
export function setup(command: Command): { globals: Globals; out: Output } {
  const globals = globalsOf(command);
  // A handlers module's console.log would otherwise land in the middle of the JSON document.
  if (globals.json) consoleToStderr();
  return { globals, out: new Output({ json: globals.json }) };
}

/** Adds the global options to the program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--json', 'print machine-readable JSON instead of human output')
    .option(
      '--store <url>',
      `store URL: "sqlite:<path>", "memory" or "postgres://..." (default: env ORCHESTRATOR_STORE, else "${DEFAULT_SQLITE_STORE}")`,
    );
}
