/**
 * What keeps a value from being stored as a step's output, for the checks made off the hot path
 * (a parallel step's output, a remote worker's): it is no JSON value a store keeps (too deep, not
 * finite, a cycle…), or its JSON text is over {@link MAX_OUTPUT_TEXT} characters.
 * @module
 */
import {
  copiedJsonText,
  findJsonProblem,
  jsonSizeOverLimit,
  NOT_JSON,
  TOO_LARGE,
  tryCopyJson,
} from '../json-value.js';
import { MAX_OUTPUT_TEXT } from './action-step.js';

/** Why an output cannot be stored: `json` names the place in it, `size` says by how much. */
export interface OutputProblem {
  kind: 'json' | 'size';
  path: string;
  message: string;
}

/** The problem of storing `output`, or null when a store keeps it. */
export function outputProblem(output: unknown): OutputProblem | null {
  const copy = tryCopyJson(output, MAX_OUTPUT_TEXT);
  if (copy === NOT_JSON) {
    const problem = findJsonProblem(output, 'output');
    return {
      kind: 'json',
      path: problem?.path ?? 'output',
      message: problem?.message ?? 'cannot be stored as JSON',
    };
  }
  const text = copy === TOO_LARGE ? Number.POSITIVE_INFINITY : copiedJsonText(copy, MAX_OUTPUT_TEXT);
  if (text <= MAX_OUTPUT_TEXT) return null;
  return { kind: 'size', path: 'output', message: jsonSizeOverLimit(text, MAX_OUTPUT_TEXT) };
}
