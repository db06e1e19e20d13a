/**
 * What the static checks on expressions know of @marcbachmann/cel-js's parsed syntax tree: a node
 * is `{ op, args }`, and the comprehension macros bind a variable in their later arguments. A node
 * evaluates through its `meta.evaluate` until it first runs, so that can be wrapped
 * ({@link checkValues}) to refuse values the library lets through.
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

/** The name of the global function a `call` node calls (`int` in `int(x)`), or null for any other node. */
export function callName(node: CelNode): string | null {
  if (node.op !== 'call' || !Array.isArray(node.args)) return null;
  const name: unknown = node.args[0];
  return typeof name === 'string' ? name : null;
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

/** How the library evaluates a node: with its evaluator, the node and the variables in scope. */
export type Evaluate = (this: unknown, ev: unknown, node: unknown, ctx: unknown) => unknown;

/** A node of the library's tree, whose evaluation can be replaced until it first runs. */
interface EvaluableNode extends CelNode {
  meta: { evaluate: Evaluate };
  setMeta(key: 'evaluate', value: Evaluate): unknown;
  evaluate: Evaluate;
}

function isEvaluable(node: CelNode): node is EvaluableNode {
  return typeof (node as Partial<EvaluableNode>).setMeta === 'function';
}

/**
 * Makes `node`, of a parsed expression not yet evaluated, pass each value it computes to `check`,
 * which throws to fail the evaluation. `check` also gets the evaluation's `ev` and `ctx`, with which
 * {@link evaluateAgain} evaluates an operand once more (to tell why a value is wrong).
 */
export function checkValues(node: CelNode, check: (value: unknown, ev: unknown, ctx: unknown) => void): void {
  if (!isEvaluable(node)) return;
  const evaluate = node.meta.evaluate;
  node.setMeta('evaluate', function checked(this: unknown, ev: unknown, self: unknown, ctx: unknown) {
    const value = evaluate.call(this, ev, self, ctx);
    check(value, ev, ctx);
    return value;
  });
}

/**
 * Replaces how `node`, of a parsed expression not yet evaluated, is evaluated: `wrap` gets the
 * library's evaluation and returns the one to use in its place (which may call it).
 */
export function wrapEvaluation(node: CelNode, wrap: (evaluate: Evaluate) => Evaluate): void {
  if (isEvaluable(node)) node.setMeta('evaluate', wrap(node.meta.evaluate));
}

/** The value of `operand`, a node under one {@link checkValues} checks, evaluated again; or undefined. */
export function evaluateAgain(operand: unknown, ev: unknown, ctx: unknown): unknown {
  return isNode(operand) && isEvaluable(operand) ? operand.evaluate(ev, operand, ctx) : undefined;
}

/** How the library handles a method call (`rcall`): the receiver and arguments evaluated, `ev`, the node. */
export type MethodHandle = (values: unknown[], ev: unknown, node: unknown) => unknown;

/** How the library handles a function call (`call`): the arguments evaluated, the node, `ev`. */
export type FunctionHandle = (values: unknown[], node: unknown, ev: unknown) => unknown;

/**
 * A node of a checked tree: the type check set how it handles its evaluated operands, which can be
 * replaced to take some operands over and leave the others to the library.
 */
export interface HandledNode<H> extends CelNode {
  handle?: H;
}

/** Calls `visit` with every node of `ast` (a node, a list of them, or a literal), a node before those under it. */
export function forEachNode<N extends CelNode>(ast: unknown, visit: (node: N) => void): void {
  if (Array.isArray(ast)) {
    for (const item of ast) forEachNode(item, visit);
    return;
  }
  if (!isNode(ast)) return;
  visit(ast as N);
  forEachNode(ast.args, visit);
}
