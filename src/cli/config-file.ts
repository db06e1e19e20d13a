/**
 * The JSON config file `--config` names (`serve`, `workers`): an object of `createOrchestrator`
 * config keys, without the options a file cannot give. The keys' values are checked by whoever
 * uses them (the orchestrator, for `serve`).
 * @module
 */
import { type CompiledConfig, type Config, compileConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { readJsonFileAsync } from './definition-file.js';
import { UsageError } from './errors.js';

/**
 * Options of `createOrchestrator` a config file cannot give (JSON holds no function or clock), which
 * `serve` sets itself, with where they come from instead: given in the file, they were dropped
 * without a word.
 */
const NOT_IN_FILE: Readonly<Record<string, string>> = {
  actions: 'the actions come from --handlers (or --remote-actions)',
  compensations: 'the compensations come from --handlers',
  on: 'event listeners are code: --alert-webhook sends the alerts',
  logger: 'serve logs JSON lines to stderr; ORCHESTRATOR_LOG_LEVEL sets the level',
  clock: 'a clock is code',
};

/**
 * Reads `path` (none: `{}`). The file may be a pipe whose writer has not come yet: `waitFor`
 * wraps the read (`serve` stops on a signal while it waits).
 * @throws UsageError naming the file for one that is not a JSON object, or sets a key a file cannot.
 */
export async function readConfigFile(
  path: string | undefined,
  waitFor: (read: Promise<unknown>) => Promise<unknown> = (read) => read,
): Promise<Partial<Config>> {
  if (path === undefined) return {};
  const value = await waitFor(readJsonFileAsync(path, 'config file', { pipes: true }));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`config file '${path}' must contain a JSON object of config keys`);
  }
  const refused = Object.keys(value)
    .filter((key) => Object.hasOwn(NOT_IN_FILE, key))
    .map((key) => `'${key}' cannot be set in a config file (${NOT_IN_FILE[key]})`);
  if (refused.length > 0) throw new UsageError(`config file '${path}': ${refused.join('; ')}`);
  return value as Partial<Config>;
}

/**
 * Checks the keys of config file `path` as the orchestrator checks its config, so that `serve` and
 * `workers` refuse the same file, and say which file: the orchestrator's own refusal named no file
 * (`serve`), and `workers` read three keys and dropped the rest, a misspelt one included. A file
 * `store` that `--store` overrides is left out (it is not used).
 * @returns the compiled config (defaults filled in).
 * @throws UsageError `config file '<path>': Invalid config: …`, every problem with its key.
 */
export function checkConfigFile(
  path: string,
  config: Partial<Config>,
  storeOverridden: boolean,
): CompiledConfig {
  const used: Partial<Config> = { ...config };
  if (storeOverridden) delete used.store;
  try {
    return compileConfig(used);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new UsageError(`config file '${path}': ${error.message}`, { cause: error });
  }
}
