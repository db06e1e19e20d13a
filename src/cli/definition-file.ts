/**
 * Reads a workflow definition file (`{ "id", "steps", "options"? }`) and validates it with the
 * engine's own validator, so every problem is reported with its path before any store opens.
 * @module
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isatty, ReadStream } from 'node:tty';
import type { StepDefinition } from '../definition/types.js';
import { type ValidDefinition, validateDefinition } from '../definition/validate.js';
import { echo } from '../echo.js';
import { type Issue, ValidationError } from '../errors.js';
import { duplicateKeyProblem } from '../json-duplicate-keys.js';
import { jsonSyntaxProblem } from '../json-syntax-problem.js';
import { unsafeIntegerProblem } from '../json-unsafe-integers.js';
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

/** The error for a pipe or device that gives more than {@link MAX_JSON_FILE_BYTES}. */
function tooMuch(path: string, what: string): UsageError {
  return new UsageError(`${what} '${path}' holds more than the limit of ${MAX_JSON_FILE_BYTES} bytes`);
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
      if (total > MAX_JSON_FILE_BYTES) throw tooMuch(path, what);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/** `stream` read to its end, refusing more than {@link MAX_JSON_FILE_BYTES}; closed afterwards. */
function readToEnd(stream: Readable, path: string, what: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_JSON_FILE_BYTES) reject(tooMuch(path, what));
      else chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  }).finally(() => stream.destroy());
}

/**
 * {@link readStream} without blocking the process: opening a FIFO no one writes to yet, or
 * reading `/dev/stdin` at a terminal, waits for the writer, and a blocking call held every signal
 * meanwhile (Ctrl-C did nothing, even twice). A FIFO is opened without waiting and read, as a
 * terminal is, by the event loop; so a signal still reaches the command, and the process can exit
 * with the read unfinished (a read left waiting in a worker thread would keep it from exiting).
 * Other devices (`/dev/zero`, `/dev/null`) never wait and are read as {@link readStream} does.
 */
async function readStreamAsync(path: string, what: string): Promise<Buffer> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let stream: Readable | null = null;
  try {
    if (fstatSync(fd).isFIFO()) stream = new Socket({ fd, readable: true, writable: false });
    else if (isatty(fd)) stream = new ReadStream(fd);
  } finally {
    if (stream === null) closeSync(fd);
  }
  if (stream === null) return readStream(path, what);
  return readToEnd(stream, path, what);
}

/**
 * What `path` is to read: a regular file (or a symbolic link to one) of at most
 * {@link MAX_JSON_FILE_BYTES}, or with `pipes` (see {@link JsonFileOptions}) a pipe or device, or
 * this process's stdin when it is a socket: a Node.js parent's `stdio: 'pipe'` is a socket pair,
 * which `/dev/stdin` names but cannot open (ENXIO), so it is read from the process's stdin itself.
 * @throws UsageError for anything else (and the errors of `statSync`).
 */
function sourceOf(path: string, what: string, options: JsonFileOptions): 'file' | 'pipe' | 'stdin' {
  const stats = statSync(path);
  if (stats.isDirectory()) throw new UsageError(`${what} '${path}' is a directory, not a file`);
  if (stats.isFile()) {
    if (stats.size > MAX_JSON_FILE_BYTES) {
      throw new UsageError(
        `${what} '${path}' is ${stats.size} bytes, more than the limit of ${MAX_JSON_FILE_BYTES}`,
      );
    }
    return 'file';
  }
  if (options.pipes && stats.isSocket() && isStdin(stats)) return 'stdin';
  if (!options.pipes || !(stats.isFIFO() || stats.isCharacterDevice())) {
    throw new UsageError(`${what} '${path}' is not a regular file`);
  }
  return 'pipe';
}

/** Whether `stats` are those of this process's stdin (the same device and inode). */
function isStdin(stats: { dev: number; ino: number }): boolean {
  try {
    const stdin = fstatSync(0);
    return stdin.dev === stats.dev && stdin.ino === stats.ino;
  } catch {
    return false;
  }
}

/** The bytes of `path` as {@link sourceOf} says to read them, a pipe off the main thread. */
function readSourceAsync(path: string, what: string, options: JsonFileOptions): Buffer | Promise<Buffer> {
  const source = sourceOf(path, what, options);
  if (source === 'file') return readFileSync(path);
  return source === 'pipe' ? readStreamAsync(path, what) : readToEnd(process.stdin, path, what);
}

/** `read()`'s bytes, with its errors as usage errors naming the file. */
async function readBytes(read: () => Buffer | Promise<Buffer>, path: string, what: string): Promise<Buffer> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw unreadable(error, path, what);
  }
}

/** The JSON value of a file's `bytes`, with one-line errors naming the file. */
function parseJsonBytes(bytes: Buffer, path: string, what: string): unknown {
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
  // JSON.parse rounds an integer past 2^53 silently: the value used would not be the one written.
  const unsafe = unsafeIntegerProblem(json);
  if (unsafe) throw new UsageError(`${what} '${path}': ${unsafe}`);
  return parsed;
}

/**
 * Reads and parses a regular JSON file (or a symbolic link to one) of at most
 * {@link MAX_JSON_FILE_BYTES}, with one-line errors that name the file: a huge file is not read
 * whole into memory. A pipe or device is refused; {@link readJsonFileAsync} reads those.
 */
function readJsonFile(path: string, what: string): unknown {
  let bytes: Buffer;
  try {
    sourceOf(path, what, {}); // throws for anything but a regular file of at most the limit
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw unreadable(error, path, what);
  }
  return parseJsonBytes(bytes, path, what);
}

/**
 * {@link readJsonFile}, also reading a pipe or device with `pipes` (see {@link JsonFileOptions}),
 * to the same limit (`/dev/zero` ends with an error), off the main thread, so that the process
 * still hears a signal while it waits for the writer.
 */
export async function readJsonFileAsync(
  path: string,
  what: string,
  options: JsonFileOptions = {},
): Promise<unknown> {
  const bytes = await readBytes(() => readSourceAsync(path, what, options), path, what);
  return parseJsonBytes(bytes, path, what);
}

/**
 * Reads and validates a definition file, a regular file (a folder's: see {@link JsonFileOptions}).
 * @throws UsageError if the file is missing, not a regular file or not JSON; ValidationError
 *   (exit 2) naming every problem with its path, prefixed by the file name.
 */
export function readDefinitionFile(path: string): ValidDefinition {
  return definitionIn(readJsonFile(path, 'definition file'), path);
}

/** {@link readDefinitionFile}, a pipe or device read off the main thread (see {@link readJsonFileAsync}). */
export async function readDefinitionFileAsync(
  path: string,
  options: JsonFileOptions = {},
): Promise<ValidDefinition> {
  return definitionIn(await readJsonFileAsync(path, 'definition file', options), path);
}

/** The definition the JSON value `raw` of file `path` holds, validated. */
function definitionIn(raw: unknown, path: string): ValidDefinition {
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
    if (step.condition !== undefined) return;
    if (step.parallel !== undefined) {
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
    if (step.condition !== undefined) return;
    if (step.compensation && !used.has(step.compensation)) used.set(step.compensation, `steps[${i}]`);
    if (step.parallel !== undefined) {
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
    if (step.condition !== undefined) continue;
    if (step.compensation) names.set(step.name, step.compensation);
    if (step.parallel !== undefined)
      for (const branch of step.parallel)
        if (branch.compensation) names.set(branch.name, branch.compensation);
  }
  return names;
}

/** Re-exported for commands that only need the type. */
export type { ValidDefinition };
