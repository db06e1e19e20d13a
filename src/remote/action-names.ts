/**
 * Which names remote workers may serve: the engine's name rule, no reserved name, no built-in.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { BUILTIN_ACTION_NAMES } from '../engine/action-registry.js';
import { ValidationError } from '../errors.js';
import { ACTION_NAME_PATTERN, RESERVED_ACTION_NAME } from './protocol.js';

/**
 * What keeps `name` from being an action remote workers serve (the engine's name rule, not a
 * built-in), worded to follow the name; null when nothing does.
 */
export function actionNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || !ACTION_NAME_PATTERN.test(name)) {
    return 'must match [A-Za-z0-9_.-]+ (at most 128 characters)';
  }
  // A definition refuses it ("'__proto__' is reserved"): no task could ever come.
  if (name === RESERVED_ACTION_NAME) return 'is reserved (no workflow step can name it as its action)';
  return BUILTIN_ACTION_NAMES.has(name) ? 'is a built-in action' : null;
}

/**
 * Checks action names: the engine's name rule, no built-ins, no duplicates.
 * @throws ValidationError headed `heading` (the method's: 'Invalid register arguments').
 */
export function checkActionNames(names: unknown, path: string, heading: string): string[] {
  if (!Array.isArray(names) || names.length === 0) {
    const got = Array.isArray(names) ? 'an empty array' : describeValue(names);
    throw new ValidationError(
      [{ path, message: `expected a non-empty array of action names, got ${got}` }],
      heading,
    );
  }
  const issues = [];
  for (const [i, name] of names.entries()) {
    const problem = actionNameProblem(name);
    if (problem) issues.push({ path: `${path}[${i}]`, message: `the name ${problem}` });
  }
  if (issues.length > 0) throw new ValidationError(issues, heading);
  return [...new Set(names as string[])];
}
