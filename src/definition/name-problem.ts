/**
 * What is wrong with a handler name under the definition format's rule for step, action and
 * compensation names, so that a handler is never registered under a name no definition can give.
 * @module
 */
import { stepNameSchema } from './schema.js';

/**
 * Why `name` cannot be a step, action or compensation name in a definition (`[A-Za-z0-9_.-]+`,
 * 1 to 128 characters, not `__proto__`): "must not be empty", "may contain only …, got 'a b'".
 * `undefined` when a definition can use it.
 */
export function nameProblem(name: string): string | undefined {
  const parsed = stepNameSchema.safeParse(name);
  return parsed.success ? undefined : parsed.error.issues.map((i) => i.message).join('; ');
}
