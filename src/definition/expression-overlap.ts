/**
 * An operand whose type the type check cannot tell: the variable of a macro over an empty list or
 * map literal (`[].all(x, x > 0)`, `{}.exists(k, k > 0)`) has no type, so the check finds several
 * overloads of the operator it meets and the library refused the expression with its own internals:
 * "Operator overload 'int > int: bool' overlaps with 'double > int: bool'", which names neither what
 * is wrong nor a way out. {@link overlapProblem} says both.
 * @module
 */

/** The library's message when an operand's type matches several overloads of an operator. */
const OVERLAP = /^Operator overload '(.+?): [^']*' overlaps with '(.+?): [^']*'/;

/** The library's message when a unary operator's operand has no type (`[].map(x, -x)`). */
const UNTYPED = /^no such overload: ([-!])undefined(?:\n|$)/;

/** The operator of an overload's signature (`int > int`, `-int`). */
function operatorOf(signature: string): string {
  const binary = /^\S+ (\S+) \S+$/.exec(signature);
  return binary?.[1] ?? signature.slice(0, 1);
}

/** The problem an overlap error of the type check stands for, or null when `error` is none. */
export function overlapProblem(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const untyped = UNTYPED.exec(error.message);
  if (untyped !== null) return `the type of the operand of '${untyped[1]}' cannot be told: ${WHY}`;
  const found = OVERLAP.exec(error.message);
  if (found === null) return null;
  const [, first = '', second = ''] = found;
  return `the type of an operand of '${operatorOf(first)}' cannot be told (it could be ${first} or ${second}): ${WHY}`;
}

/** Why an operand's type cannot be told, and what to write instead. */
const WHY =
  'the variable of a macro (all, exists, exists_one, map, filter) over an empty list or map literal, [] or {}, has no type; such a macro loops over nothing (all is true, exists false), so leave it out, or loop over data (input.items) or dyn([])';
