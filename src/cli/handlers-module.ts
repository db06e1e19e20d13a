/**
 * Loads a handlers module (`--handlers <module>`): an ES module, path relative to the working
 * directory, exporting `actions` and/or `compensations` objects of `{ name: handler }`
 * (a default export with those keys works too).
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { meantQuestion } from '../closest-name.js';
import type { StepDefinition } from '../definition/types.js';
import { BUILTIN_ACTION_NAMES } from '../engine/action-registry.js';
import type { ActionHandler, CompensationHandler } from '../types.js';
import { actionsUsed, compensationsUsed } from './definition-file.js';
import { UsageError } from './errors.js';
import { printable } from './format.js';
import { beforeLoopEmpties } from './loop-empty.js';
import { syntaxErrorPlace } from './syntax-error-place.js';

/** Handlers a module provides. */
export interface Handlers {
  actions: Record<string, ActionHandler>;
  compensations: Record<string, CompensationHandler>;
}

function handlerMap<T>(value: unknown, key: string, path: string): Record<string, T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`handlers module '${path}': \`${key}\` must be an object of { name: handler }`);
  }
  for (const [name, handler] of Object.entries(value)) {
    if (typeof handler !== 'function') {
      throw new UsageError(`handlers module '${path}': ${key}.${name} is not a function`);
    }
  }
  return { ...(value as Record<string, T>) };
}

/** What a module exports, for a module that has neither object (a typo: `action`): names, cut at 10. */
function exportsShown(mod: Record<string, unknown>): string {
  const names = Object.keys(mod).map((name) => printable(name));
  if (names.length === 0) return 'nothing';
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '');
  const inner = mod.default;
  if (names.length !== 1 || inner === null || typeof inner !== 'object') return shown;
  const keys = Object.keys(inner).map((key) => printable(key));
  return keys.length === 0
    ? 'default, an empty object'
    : `default, whose keys are ${keys.slice(0, 10).join(', ')}`;
}

/** What to do when Node cannot import a TypeScript module itself (`--handlers examples/handlers.ts`). */
function typeScriptHint(error: unknown, path: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[cm]?ts$/i.test(path)) return '';
  return '; compile it to JavaScript first (the examples: `npm run build`, then --handlers dist/examples/handlers.js), or run the CLI under tsx (`node --import tsx`)';
}

/**
 * Imports a handlers module.
 * @throws UsageError if the file is missing, fails to load, never finishes loading (its top-level
 *   `await` waits on a promise nothing left to run can settle), or exports neither object.
 */
export async function loadHandlers(path: string, cwd = process.cwd()): Promise<Handlers> {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`handlers module '${path}' not found`);
  const loading = import(pathToFileURL(absolute).href).catch(async (error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    const place = await syntaxErrorPlace(error, absolute, cwd);
    const where = place === undefined ? '' : ` (syntax error at ${place})`;
    throw new UsageError(
      `cannot load handlers module '${path}': ${why}${where}${typeScriptHint(error, path)}`,
      {
        cause: error,
      },
    );
  });
  // A top-level await nothing can settle would end the process with exit code 13, silently.
  const mod = (await beforeLoopEmpties(
    loading,
    () =>
      new UsageError(
        `handlers module '${path}' never finished loading: its top-level await waits for something nothing left to run can settle (a promise never resolved)`,
      ),
  )) as Record<string, unknown>;
  const source =
    mod.actions === undefined &&
    mod.compensations === undefined &&
    mod.default &&
    typeof mod.default === 'object'
      ? (mod.default as Record<string, unknown>)
      : mod;
  if (source.actions === undefined && source.compensations === undefined) {
    throw new UsageError(
      `handlers module '${path}' exports neither \`actions\` nor \`compensations\` (it exports ${exportsShown(mod)})`,
    );
  }
  return {
    actions: handlerMap<ActionHandler>(source.actions, 'actions', path),
    compensations: handlerMap<CompensationHandler>(source.compensations, 'compensations', path),
  };
}

/** `; did you mean 'x'?` for a handler name close to `name`, or ''. */
function meant(name: string, known: readonly string[]): string {
  const question = meantQuestion(name, known);
  return question === '' ? '' : `; ${question}`;
}

/**
 * Checks that every action and compensation a definition names has a handler (or is built in),
 * so a run does not start only to fail with `ACTION_NOT_FOUND` halfway.
 * @throws UsageError listing every missing handler.
 */
export function checkHandlersCover(steps: StepDefinition[], handlers: Handlers, hint: string): void {
  const missing: string[] = [];
  const served = [...Object.keys(handlers.actions), ...BUILTIN_ACTION_NAMES];
  for (const [name, path] of actionsUsed(steps)) {
    // Own keys only: `constructor`, `toString`, ... are valid step names, not handlers.
    if (!Object.hasOwn(handlers.actions, name) && !BUILTIN_ACTION_NAMES.has(name)) {
      missing.push(`action '${name}' (${path}${meant(name, served)})`);
    }
  }
  for (const [name, path] of compensationsUsed(steps)) {
    if (!Object.hasOwn(handlers.compensations, name)) {
      missing.push(`compensation '${name}' (${path}${meant(name, Object.keys(handlers.compensations))})`);
    }
  }
  if (missing.length > 0) throw new UsageError(`no handler for ${missing.join(', ')}; ${hint}`);
}
