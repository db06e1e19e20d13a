/**
 * What the static checks on expressions know of @marcbachmann/cel-js's parsed syntax tree: a node
 * is `{ op, args }`, and the comprehension macros bind a variable in their later arguments.
 * @module
 */

/** Macros whose first argument names a variable bound in the later arguments. */
export const COMPREHENSIONS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** A node of the syntax tree. */
export interface CelNode {
  op: string;
  args: unknown;
}

/** Whether a value of the tree is a node (rather than a list of them or a literal). */
export function isNode(value: unknown): value is CelNode {
  return value !== null && typeof value === 'object' && typeof (value as CelNode).op === 'string';
}

/**
 * The first problem `check` finds at a node of `ast` (a node, a list of them, or a literal),
 * looking at a node before the nodes under it, in order; or null.
 */
export function firstNodeProblem(ast: unknown, check: (node: CelNode) => string | null): string | null {
  if (Array.isArray(ast)) {
    for (const item of ast) {
      const problem = firstNodeProblem(item, check);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (!isNode(ast)) return null;
  return check(ast) ?? firstNodeProblem(ast.args, check);
}
