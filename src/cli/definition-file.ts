/**
 * Reads a workflow definition file (`{ "id", "steps", "options"? }`) and validates it with the
 * engine's own validator, so every problem is reported with its path before any store opens.
 * @module
 */
import { closeSync, lstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { StepDefinition } from '../definition/types.js';
import { type ValidDefinition, validateDefinition } from '../definition/validate.js';
import { echo } from '../echo.js';
import { type Issue, ValidationError } from '../errors.js';
import { duplicateKeyProblem } from '../json-duplicate-keys.js';
import { jsonSyntaxProblem } from '../json-syntax-problem.js';
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

/** Decodes UTF-8 strictly (bytes that are not UTF-8 throw), keeping a byte-order mark. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Where a JSON file may come from. */
export interface JsonFileOptions {
  /**
   * Also read a pipe or a device (`run <(jq …)`, `/dev/stdin`), up to
   * {@link MAX_JSON_FILE_BYTES}: for a file the user named. Files found by scanning a folder are
   * regular files only (a FIFO there would block the start).
   */
  pipes?: boolean;
}

/** Reads a pipe or device to its end, refusing more than {@link MAX_JSON_FILE_BYTES}. */
function readStream(path: string, what: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.alloc(1024 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_JSON_FILE_BYTES) {
        throw new UsageError(`${what} '${path}' holds more than the limit of ${MAX_JSON_FILE_BYTES} bytes`);
      }
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and parses a JSON file, with one-line errors that name the file. A regular file (or a
 * symbolic link to one) of at most {@link MAX_JSON_FILE_BYTES} is read; a pipe or device only
 * with `pipes` (see {@link JsonFileOptions}), to the same limit: `/dev/zero` ends with an error,
 * and a huge file is not read whole into memory.
 */
export function readJsonFile(path: string, what: string, options: JsonFileOptions = {}): unknown {
  let bytes: Buffer;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new UsageError(`${what} '${path}' is a directory, not a file`);
    if (!stats.isFile()) {
      if (!options.pipes || !(stats.isFIFO() || stats.isCharacterDevice())) {
        throw new UsageError(`${what} '${path}' is not a regular file`);
      }
      bytes = readStream(path, what);
    } else {
      if (stats.size > MAX_JSON_FILE_BYTES) {
        throw new UsageError(
          `${what} '${path}' is ${stats.size} bytes, more than the limit of ${MAX_JSON_FILE_BYTES}`,
        );
      }
      bytes = readFileSync(path);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw unreadable(error, path, what);
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    // Read leniently, its other bytes would become U+FFFD, in the definition or config used.
    throw new UsageError(`${what} '${path}' is not valid UTF-8 (save it as UTF-8)`);
  }
  // A byte-order mark (editors on Windows write one) is not part of the JSON.
  const json = text.replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    // Named with its place, as the API names it in a body (the engine's message may give none).
    const problem = jsonSyntaxProblem(json, 'file') ?? (error as Error).message;
    throw new UsageError(`${what} '${path}' is not valid JSON: ${problem}`);
  }
  // JSON.parse keeps the last value of a key given twice and drops the others silently.
  const duplicate = duplicateKeyProblem(json);
  if (duplicate) throw new UsageError(`${what} '${path}': ${duplicate}`);
  return parsed;
}

/**
 * Reads and validates a definition file.
 * @throws UsageError if the file is missing or not JSON; ValidationError (exit 2) naming every
 *   problem with its path, prefixed by the file name.
 */
export function readDefinitionFile(path: string, options: JsonFileOptions = {}): ValidDefinition {
  const raw = readJsonFile(path, 'definition file', options);
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
    const name = typeof body.id === 'string' ? ` ${echo(body.id)}` : '';
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
