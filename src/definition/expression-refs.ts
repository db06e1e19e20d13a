/**
 * The step names a CEL expression reads by a literal name, found on its parsed syntax tree:
 * `steps.NAME`, `steps['NAME']` and `'NAME' in steps` (so `has(steps.NAME)` too). `validate.ts`
 * checks them against the workflow's steps, so a typo fails at `defineWorkflow` rather than
 * at run time.
 *
 * Only the workflow's `steps` variable counts: inside a comprehension or `cel.bind` that binds
 * a variable named `steps` (`list.map(steps, steps.x)`), `steps` is that variable. A name
 * computed at run time (`steps[input.which]`) is not listed.
 * @module
 */
import { COMPREHENSIONS, isNode } from './cel-ast.js';

function isId(value: unknown, name: string): boolean {
  return isNode(value) && value.op === 'id' && value.args === name;
}

function stringLiteral(value: unknown): string | null {
  return isNode(value) && value.op === 'value' && typeof value.args === 'string' ? value.args : null;
}

/** The step names an expression reads by a literal name, and those of them it tests for first. */
export interface StepReferences {
  /** Each name once, in order of appearance. */
  readonly names: readonly string[];
  /** The names tested with `has(steps.NAME)` or `'NAME' in steps`: read only if there, maybe. */
  readonly tested: readonly string[];
}

/** Step names read by a literal name, each once, in order of appearance. */
export function stepReferences(ast: unknown): StepReferences {
  const names = new Set<string>();
  const tested = new Set<string>();
  const visit = (value: unknown, shadowed: boolean): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, shadowed);
      return;
    }
    if (!isNode(value)) return;
    const args = value.args;
    const isSteps = (node: unknown) => !shadowed && isId(node, 'steps');
    // A unary operator (`!_`, `-_`) holds its operand as one node; `id` and `value` a scalar.
    if (!Array.isArray(args)) {
      visit(args, shadowed);
      return;
    }
    switch (value.op) {
      case '.': {
        if (isSteps(args[0]) && typeof args[1] === 'string') names.add(args[1]);
        else visit(args[0], shadowed);
        return;
      }
      case '[]': {
        const key = stringLiteral(args[1]);
        if (isSteps(args[0]) && key !== null) names.add(key);
        visit(args, shadowed);
        return;
      }
      case 'in': {
        const key = stringLiteral(args[0]);
        if (isSteps(args[1]) && key !== null) {
          names.add(key);
          tested.add(key);
        }
        visit(args, shadowed);
        return;
      }
      case 'call': {
        const [name, callArgs] = args as [unknown, unknown];
        const field = Array.isArray(callArgs) ? callArgs[0] : undefined;
        if (name === 'has' && isNode(field) && field.op === '.' && Array.isArray(field.args)) {
          const [of, key] = field.args as [unknown, unknown];
          if (isSteps(of) && typeof key === 'string') tested.add(key);
        }
        visit(callArgs, shadowed);
        return;
      }
      case 'rcall': {
        const [name, receiver, callArgs] = args as [unknown, unknown, unknown];
        visit(receiver, shadowed);
        if (!Array.isArray(callArgs)) return;
        const binds = isId(callArgs[0], 'steps');
        if (name === 'bind' && isId(receiver, 'cel')) {
          visit(callArgs[1], shadowed);
          visit(callArgs[2], shadowed || binds);
        } else if (typeof name === 'string' && COMPREHENSIONS.has(name)) {
          visit(callArgs.slice(1), shadowed || binds);
        } else {
          visit(callArgs, shadowed);
        }
        return;
      }
      default:
        visit(args, shadowed);
    }
  };
  visit(ast, false);
  return { names: [...names], tested: [...tested] };
}
