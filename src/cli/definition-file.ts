/**
 * Reads a workflow definition file (`{ "id", "steps", "options"? }`) and validates it with the
 * engine's own validator, so every problem is reported with its path before any store opens.
 * @module
 */
import { lstatSync, readFileSync, statSync } from 'node:fs';
import type { StepDefinition } from '../definition/types.js';
import { type ValidDefinition, validateDefinition } from '../definition/validate.js';
import { type Issue, ValidationError } from '../errors.js';
import { UsageError } from './errors.js';

/** Keys a definition file may have at its top level (`$schema` helps editors). */
const FILE_KEYS = new Set(['id', 'steps', 'options', '$schema']);

/**
 * Largest JSON file read (64 MiB): far above any valid definition or config (the HTTP API takes
 * definitions of at most 1 MiB by default), low enough that parsing it cannot exhaust the heap.
 */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

/** Why `path` cannot be read, as a usage error naming it. */
function unreadable(error: unknown, path: string, what: string): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const link = (() => {
      try {
        return lstatSync(path).isSymbolicLink();
      } catch {
        return false;
      }
    })();
    return new UsageError(
      link ? `${what} '${path}' is a symbolic link to a missing file` : `${what} '${path}' not found`,
    );
  }
  if (code === 'EISDIR') return new UsageError(`${what} '${path}' is a directory, not a file`);
  return new UsageError(`cannot read ${what} '${path}': ${(error as Error).message}`);
}

/**
 * Reads and parses a JSON file, with one-line errors that name the file. Only a regular file (or
 * a symbolic link to one) of at most {@link MAX_JSON_FILE_BYTES} is read: a FIFO or a device
 * (`/dev/zero`) would block or never end, and a huge file would be read whole into memory.
 */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new UsageError(`${what} '${path}' is a directory, not a file`);
    if (!stats.isFile()) throw new UsageError(`${what} '${path}' is not a regular file`);
    if (stats.size > MAX_JSON_FILE_BYTES) {
      throw new UsageError(
        `${what} '${path}' is ${stats.size} bytes, more than the limit of ${MAX_JSON_FILE_BYTES}`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw unreadable(error, path, what);
  }
  try {
    // A byte-order mark (editors on Windows write one) is not part of the JSON.
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw new UsageError(`${what} '${path}' is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Reads and validates a definition file.
 * @throws UsageError if the file is missing or not JSON; ValidationError (exit 2) naming every
 *   problem with its path, prefixed by the file name.
 */
export function readDefinitionFile(path: string): ValidDefinition {
  const raw = readJsonFile(path, 'definition file');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(
      `definition file '${path}' must contain a JSON object { "id", "steps", "options"? }`,
    );
  }
  const body = raw as Record<string, unknown>;
  const issues: Issue[] = Object.keys(body)
    .filter((key) => !FILE_KEYS.has(key))
    .map((key) => ({ path: key, message: 'unknown key (expected "id", "steps" and "options")' }));
  let valid: ValidDefinition | null = null;
  try {
    valid = validateDefinition(body.id, body.steps, body.options);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0 || valid === null) {
    const name = typeof body.id === 'string' ? ` '${body.id.slice(0, 128)}'` : '';
    throw new ValidationError(issues, `${path}: invalid workflow definition${name}`);
  }
  return valid;
}

/** The action names a definition uses (steps and parallel branches), with the path of each use. */
export function actionsUsed(steps: StepDefinition[]): Map<string, string> {
  const used = new Map<string, string>();
  steps.forEach((step, i) => {
    if ('condition' in step) return;
    if ('parallel' in step) {
      step.parallel.forEach((branch, j) => {
        if (!used.has(branch.action ?? branch.name))
          used.set(branch.action ?? branch.name, `steps[${i}].parallel[${j}]`);
      });
      return;
    }
    if (!used.has(step.action ?? step.name)) used.set(step.action ?? step.name, `steps[${i}]`);
  });
  return used;
}

/** The compensation names a definition uses, with the path of each use. */
export function compensationsUsed(steps: StepDefinition[]): Map<string, string> {
  const used = new Map<string, string>();
  steps.forEach((step, i) => {
    if ('condition' in step) return;
    if (step.compensation && !used.has(step.compensation)) used.set(step.compensation, `steps[${i}]`);
    if ('parallel' in step) {
      step.parallel.forEach((branch, j) => {
        if (branch.compensation && !used.has(branch.compensation))
          used.set(branch.compensation, `steps[${i}].parallel[${j}]`);
      });
    }
  });
  return used;
}

/** Step name → compensation handler name, for progress lines. */
export function compensationNames(steps: StepDefinition[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const step of steps) {
    if ('condition' in step) continue;
    if (step.compensation) names.set(step.name, step.compensation);
    if ('parallel' in step)
      for (const branch of step.parallel)
        if (branch.compensation) names.set(branch.name, branch.compensation);
  }
  return names;
}

/** Re-exported for commands that only need the type. */
export type { ValidDefinition };
