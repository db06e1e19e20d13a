/**
 * `run --input` (or `--input-file`): its JSON, checked as `executeWorkflow` checks an execution's
 * input (nested at most 64 levels deep, at most the size of a step output) before `run` opens its
 * store, so that an input it would refuse creates no database file and makes no connection.
 * @module
 */

import { statSync } from 'node:fs';
import { echo } from '../echo.js';
import { copyExecutionInput } from '../engine/execution-input.js';
import { ValidationError } from '../errors.js';
import { readJsonFileAsync } from './definition-file.js';
import { UsageError } from './errors.js';
import { parseJsonOption } from './parse.js';

/**
 * The value of `--input` (`{}` when not given).
 * @throws UsageError if it is not JSON, has a key twice, or is an input `executeWorkflow` refuses
 *   (`--input: [0][0]…: nested deeper than 64 levels`).
 */
export function readInputOption(value: string | undefined): unknown {
  return checkedInput(parseJsonOption('--input', value, {}), '--input');
}

/**
 * The input in the JSON file `path` of `--input-file` (a pipe or device too, such as
 * `/dev/stdin` or `<(jq …)`, read off the main thread up to 64 MiB): for an input too large for a
 * command-line argument (Linux takes at most 128 KiB in one).
 * @throws UsageError if the file cannot be read, is not JSON, or holds an input `executeWorkflow`
 *   refuses.
 */
export async function readInputFile(path: string): Promise<unknown> {
  return checkedInput(await readJsonFileAsync(path, 'input file', { pipes: true }), '--input-file');
}

/** `input`, unless `executeWorkflow` would refuse it: then a UsageError naming `option`. */
function checkedInput(input: unknown, option: string): unknown {
  try {
    copyExecutionInput(input, '');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // Paths from the root: `[0][0]…`, `a.b` (the walk starts a key with a dot).
    const problems = error.issues.map((issue) => {
      const path = issue.path.replace(/^\./, '');
      return path ? `${echo(path, null)}: ${issue.message}` : issue.message;
    });
    throw new UsageError(`${option}: ${problems.join('; ')}`, { cause: error });
  }
  return input;
}

/**
 * Whether the definition file and the `--input-file` are one stream (`run /dev/stdin
 * --input-file /dev/stdin`): the first read takes it all, and the second found it empty ("input
 * file '/dev/stdin' is not valid JSON: it is empty"). The same regular file read twice is fine.
 */
export function oneStream(definition: string, inputFile: string): boolean {
  try {
    const a = statSync(definition);
    const b = statSync(inputFile);
    return !a.isFile() && a.dev === b.dev && a.ino === b.ino;
  } catch {
    // One cannot be read: its read says so.
    return false;
  }
}
