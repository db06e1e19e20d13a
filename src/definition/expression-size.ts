/**
 * A static bound on what an expression can build from its own literals. The parse limits bound
 * the syntax tree, not the values: `cel.bind(a, [1, 2, 3], cel.bind(b, a + a + a, ...))`
 * copies lists (and strings, and bytes) with every `+`, so eight such binds, 400 characters,
 * built a list of 10^8 items and the process died out of memory; a comprehension runs its body
 * once per item of a bound list just as cheaply. This walk gives every node an upper bound on
 * the size of its value (items, entries and characters) and on the work to compute it, from
 * what the literals and bound variables hold, and refuses an expression over
 * {@link MAX_STATIC_SIZE} or {@link MAX_STATIC_WORK}.
 *
 * Data read at run time (`input`, `result`, `steps`) counts as size 1: its own size is what the
 * caller passed in, bounded there; the result's size is checked again after evaluation.
 * @module
 */
import { type CelNode, COMPREHENSIONS, isNode } from './cel-ast.js';

/** Most items, entries and characters any value an expression computes may hold, by this bound. */
export const MAX_STATIC_SIZE = 1_000_000;

/** Most steps (node evaluations and copied items) an expression may take, by this bound. */
export const MAX_STATIC_WORK = 10_000_000;

interface Bound {
  /** Upper bound on the value's items, entries and characters. */
  size: number;
  /** Upper bound on the work to compute it. */
  work: number;
}

const SCALAR: Bound = { size: 1, work: 1 };

class TooBig {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** Why the expression could build too much, or null. */
export function findSizeProblem(ast: unknown): string | null {
  try {
    bound(ast, new Map());
    return null;
  } catch (error) {
    if (error instanceof TooBig) return error.message;
    throw error;
  }
}

function checked(b: Bound): Bound {
  if (b.size > MAX_STATIC_SIZE) {
    throw new TooBig(
      `it could build a value of more than ${MAX_STATIC_SIZE} items or characters (copies of bound variables multiply; build less, or build it in a step)`,
    );
  }
  if (b.work > MAX_STATIC_WORK) {
    throw new TooBig(
      `it could take more than ${MAX_STATIC_WORK} steps to evaluate (a comprehension runs once per item; loop over less, or do it in a step)`,
    );
  }
  return b;
}

/** The sum of the bounds: a value built from all of them (`+`, a list, a call). */
function sum(bounds: Bound[]): Bound {
  let size = 0;
  let work = 1;
  for (const b of bounds) {
    size += b.size;
    work += b.work;
  }
  return { size: Math.max(size, 1), work: work + size };
}

function bound(value: unknown, vars: ReadonlyMap<string, Bound>): Bound {
  if (Array.isArray(value)) return sum(value.map((item) => bound(item, vars)));
  if (!isNode(value)) return SCALAR;
  return checked(nodeBound(value, vars));
}

function nodeBound(node: CelNode, vars: ReadonlyMap<string, Bound>): Bound {
  const args = node.args;
  switch (node.op) {
    case 'value':
      if (typeof args === 'string') return { size: Math.max(args.length, 1), work: 1 };
      if (args instanceof Uint8Array) return { size: Math.max(args.length, 1), work: 1 };
      return SCALAR;
    case 'id': {
      const bound = typeof args === 'string' ? vars.get(args) : undefined;
      return bound === undefined ? SCALAR : { size: bound.size, work: 1 };
    }
    case '.':
    case '.?':
    case '[]':
    case '[?]': {
      // A part of the operand: no bigger than it.
      const [operand, ...rest] = args as unknown[];
      const whole = bound(operand, vars);
      const index = bound(rest, vars);
      return { size: whole.size, work: whole.work + index.work };
    }
    case '?:': {
      const [condition, then, otherwise] = (args as unknown[]).map((arg) => bound(arg, vars));
      return {
        size: Math.max(then?.size ?? 1, otherwise?.size ?? 1),
        work: (condition?.work ?? 1) + (then?.work ?? 1) + (otherwise?.work ?? 1),
      };
    }
    case 'rcall':
      return receiverCallBound(args as unknown[], vars);
    case 'call': {
      const [name, callArgs] = args as [unknown, unknown];
      return callBound(name, Array.isArray(callArgs) ? callArgs.map((arg) => bound(arg, vars)) : []);
    }
    case '+':
    case 'list':
    case 'map':
      return sum(flatten(args).map((arg) => bound(arg, vars)));
    default: {
      // Every other operator (`==`, `<`, `in`, `&&`, `!`, `-`, `*`, ...) yields a scalar.
      const parts = flatten(args).map((arg) => bound(arg, vars));
      return { size: 1, work: parts.reduce((total, b) => total + b.work, 1) };
    }
  }
}

/** Map entries are `[key, value]` pairs; everything else is a node or a list of them. */
function flatten(args: unknown): unknown[] {
  if (!Array.isArray(args)) return [args];
  return args.flatMap((arg) => (Array.isArray(arg) ? arg : [arg]));
}

function receiverCallBound(args: unknown[], vars: ReadonlyMap<string, Bound>): Bound {
  const [name, receiver, rawCallArgs] = args as [unknown, unknown, unknown];
  const callArgs = Array.isArray(rawCallArgs) ? rawCallArgs : [];
  const variable = isNode(callArgs[0]) && callArgs[0].op === 'id' ? callArgs[0].args : null;
  if (name === 'bind' && isNode(receiver) && receiver.op === 'id' && receiver.args === 'cel') {
    const init = bound(callArgs[1], vars);
    const body = bound(callArgs[2], withVar(vars, variable, init));
    return { size: body.size, work: init.work + body.work };
  }
  if (typeof name === 'string' && COMPREHENSIONS.has(name) && typeof variable === 'string') {
    const range = bound(receiver, vars);
    const inner = withVar(vars, variable, range);
    const steps = callArgs.slice(1).map((arg) => bound(arg, inner));
    const perItem = sum(steps);
    const work = range.work + range.size * perItem.work;
    if (name === 'map') return checked({ size: range.size * (steps.at(-1)?.size ?? 1), work });
    if (name === 'filter') return checked({ size: range.size, work });
    return checked({ size: 1, work });
  }
  return callBound(name, [bound(receiver, vars), ...callArgs.map((arg) => bound(arg, vars))]);
}

/**
 * A function's value from its receiver (if any) and arguments, `parts`: no bigger than they are
 * together, but for the functions that build more. `join(sep)` puts the separator between every
 * two items (so `l.join(previous)` over a list of 100 '' multiplies by 99), `split` yields an item
 * per character at most, `hex()` doubles, `base64()` takes 4 characters per 3 bytes, and
 * `bytes(string)` up to 3 bytes (UTF-8) per character.
 */
function callBound(name: unknown, parts: Bound[]): Bound {
  const all = sum(parts);
  const first = parts[0]?.size ?? 1;
  let size: number;
  switch (name) {
    case 'join':
      size = first + first * (parts[1]?.size ?? 0);
      break;
    case 'split':
      size = 2 * first + 1;
      break;
    case 'hex':
    case 'base64':
      size = 2 * first + 4;
      break;
    case 'bytes':
      size = 3 * all.size;
      break;
    default:
      return all;
  }
  return { size: Math.max(size, all.size), work: all.work + size };
}

function withVar(vars: ReadonlyMap<string, Bound>, name: unknown, b: Bound): ReadonlyMap<string, Bound> {
  if (typeof name !== 'string') return vars;
  return new Map(vars).set(name, b);
}
