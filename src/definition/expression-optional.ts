/**
 * CEL's optional values (`optional.of(x)`, `optional.none()`) are not enabled, but the library
 * still declares the `optional` namespace, so its type check passed `optional.of(1).value()` and
 * every evaluation failed (`Unknown variable: optional`). A new definition that calls into it is
 * refused when defined, as `math.abs(-1)` (an unknown namespace) is.
 * @module
 */
import { type CelNode, firstNodeProblem, isNode } from './cel-ast.js';

/** The first call into the `optional` namespace in `ast`, as a problem; or null. */
export function findOptionalProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, optionalCall);
}

function optionalCall(node: CelNode): string | null {
  if (node.op !== 'rcall' || !Array.isArray(node.args)) return null;
  const [name, target] = node.args as [unknown, unknown];
  if (!isNode(target) || target.op !== 'id' || target.args !== 'optional') return null;
  return `optional.${String(name)}() is not supported: optional values are not enabled (test a field with has(), or 'key' in map, and give a default with ?:)`;
}
