/**
 * `run --input`: its JSON, checked as `executeWorkflow` checks an execution's input (nested at
 * most 64 levels deep, at most the size of a step output) before `run` opens its store, so that
 * an input it would refuse creates no database file and makes no connection.
 * @module
 */

import { echo } from '../echo.js';
import { copyExecutionInput } from '../engine/execution-input.js';
import { ValidationError } from '../errors.js';
import { UsageError } from './errors.js';
import { parseJsonOption } from './parse.js';

/**
 * The value of `--input` (`{}` when not given).
 * @throws UsageError if it is not JSON, has a key twice, or is an input `executeWorkflow` refuses
 *   (`--input: [0][0]…: nested deeper than 64 levels`).
 */
export function readInputOption(value: string | undefined): unknown {
  const input = parseJsonOption('--input', value, {});
  try {
    copyExecutionInput(input, '');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // Paths from the root: `[0][0]…`, `a.b` (the walk starts a key with a dot).
    const problems = error.issues.map((issue) => {
      const path = issue.path.replace(/^\./, '');
      return path ? `${echo(path, null)}: ${issue.message}` : issue.message;
    });
    throw new UsageError(`--input: ${problems.join('; ')}`, { cause: error });
  }
  return input;
}
