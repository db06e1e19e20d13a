/**
 * CEL expressions (SPEC §3): step conditions and step inputs, compiled once at definition
 * time with @marcbachmann/cel-js and evaluated against `result`, `input` and `steps`.
 *
 * Safety: the library parses CEL itself (no `eval`, `new Function` or `node:vm`), reads
 * only own properties (`result.constructor` → "No such key") and calls only registered CEL
 * functions, so host objects are out of reach. Parse limits, a comprehension-nesting cap and
 * a `matches` guard (see `expression-guard.ts`) and a static bound on the values literals and
 * bound variables can build (`expression-size.ts`) bound the cost, and a budget on the reads of
 * run-time data (`read-budget.ts`) what loops over that data cost; results are converted to
 * fresh plain JSON with a size budget. Checks the library lacks are added to each compiled tree:
 * ints stay within 64 bits (`expression-int-range.ts`), `/` fails on zero (`expression-division.ts`),
 * timestamps and durations stay within CEL's ranges (`expression-time-range.ts`), timestamp accessors
 * read the zone asked for, not the server's (`expression-time-zones.ts`), `string()` of bytes needs UTF-8 (`expression-bytes-text.ts`).
 *
 * Numbers: JSON numbers arrive as CEL `double`s, CEL integer literals are `int` (BigInt).
 * The library already compares them across types (`result.count > 3`, `== 5`, `in [5]`),
 * but CEL has no mixed arithmetic (`result.count + 1` is "no such overload: dyn<double> +
 * int"), so this module registers `double op int` and `int op double` for `+ - * /`,
 * computed as doubles, and `%` for doubles that hold whole numbers. Integer results (`size(x)`, `1 + 2`) come back as JS numbers;
 * one a double cannot hold exactly fails.
 * @module
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { ExpressionError } from '../errors.js';
import { textPrefix } from '../text-prefix.js';
import { durationText } from './duration-text.js';
import { guardBytesText } from './expression-bytes-text.js';
import { unexpectedCharacterProblem } from './expression-character.js';
import { guardDivision } from './expression-division.js';
import { guardDurationText } from './expression-duration-parse.js';
import { findCostProblem } from './expression-guard.js';
import { findIntLiteralProblem, guardIntRange } from './expression-int-range.js';
import { guardListIndex } from './expression-list-index.js';
import { findLiteralConversionProblem } from './expression-literals.js';
import { findDroppedKeyProblem, findKeyTypeProblem, findRepeatedKeyProblem } from './expression-map-keys.js';
import { registerMixedEquality } from './expression-mixed-equality.js';
import { guardNumberText } from './expression-number-text.js';
import { findOptionalProblem } from './expression-optional.js';
import { overlapProblem } from './expression-overlap.js';
import { findInvalidPatternProblem } from './expression-patterns.js';
import { expressionPlace, syntaxErrorOffset } from './expression-place.js';
import { stepReferences } from './expression-refs.js';
import { findSizeProblem } from './expression-size.js';
import { guardStrings } from './expression-strings.js';
import { registerTimeConversions } from './expression-time-conversions.js';
import { guardTimeRange } from './expression-time-range.js';
import { findTimeZoneProblem, guardTimeZones } from './expression-time-zones.js';
import { findTimestampLiteralProblem, guardTimestampText } from './expression-timestamp-text.js';
import { fieldNote, shadowsScope } from './field-note.js';
import { MAX_EVALUATION_READS, needsReadBudget, ReadBudget } from './read-budget.js';
import type { CompiledExpression, ExpressionScope } from './types.js';

/** Longest expression source accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 4096;

/** Most values (scalars, lists and maps) an expression's result may hold. */
export const MAX_RESULT_VALUES = 1_000_000;

/** Deepest nesting an expression's result may have. */
export const MAX_RESULT_DEPTH = 1000;

const env = new Environment({
  // `{'text': steps.stt.output.text, 'n': 1}` mixes value types; JSON data needs that.
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 1000, maxDepth: 32, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
})
  .registerVariable('result', 'dyn')
  .registerVariable('input', 'dyn')
  .registerVariable('steps', 'map<string, dyn>');
registerTimeConversions(env);

const mixed: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
};
for (const [op, fn] of Object.entries(mixed)) {
  env.registerOperator(`double ${op} int`, (a: number, b: bigint) => fn(a, Number(b)));
  env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => fn(Number(a), b));
}
env.registerOperator('double % int', remainder);
env.registerOperator('int % double: double', remainder);
env.registerOperator('double % double', remainder);
registerMixedEquality(env);

/**
 * `%` of JSON numbers: defined only for whole numbers (as CEL's int `%`, truncated, so
 * `-7 % 2 == -1`), so `input.n % 2 == 0` works on a number that arrived as JSON. An int
 * operand is taken exactly (as a BigInt), not rounded to a double past 2^53.
 */
function remainder(a: number | bigint, b: number | bigint): number {
  if (!isWhole(a) || !isWhole(b)) throw new Error(`% needs whole numbers, got ${a} % ${b}`);
  if (b === 0 || b === 0n) throw new Error('modulo by zero');
  if (typeof a === 'number' && typeof b === 'number') return a % b;
  return Number(BigInt(a) % BigInt(b));
}

function isWhole(value: number | bigint): boolean {
  return typeof value === 'bigint' || Number.isInteger(value);
}

// The library's value classes (uint, duration, type) are not exported; take their prototypes.
const UINT_PROTO: unknown = Object.getPrototypeOf(env.evaluate('1u'));
const DURATION_PROTO: unknown = Object.getPrototypeOf(env.evaluate("duration('1s')"));
const TYPE_PROTO: unknown = Object.getPrototypeOf(env.evaluate('type(1)'));

/** What an expression must produce, checked statically where the type is known. */
export type ExpectedType = 'boolean';

/**
 * Parses and type-checks a CEL expression once. With `expect: 'boolean'` an expression whose
 * static type is known and not `bool` (e.g. `result.status + 'x'`) is refused too.
 * @throws ExpressionError on syntax or type errors, or when a limit is exceeded.
 */
export function compileExpression(source: string, expect?: ExpectedType): CompiledExpression {
  if (typeof source !== 'string') throw new ExpressionError('An expression must be a string');
  const key = cache === null ? null : `${expect ?? ''}\u0000${source}`;
  const known = key === null ? undefined : cache!.get(key);
  if (known !== undefined) return known;
  const compiled = compileUncached(source, expect);
  if (key !== null) cache!.set(key, compiled);
  return compiled;
}

/** Compiled expressions by expected type and source, shared by the compiles of one definition. */
export type CompiledExpressions = Map<string, CompiledExpression>;

/** The cache of the {@link withCompiledExpressions} call under way, if any. */
let cache: CompiledExpressions | null = null;

/**
 * Runs `fn` (synchronous) with the expressions it compiles taken from and added to `expressions`:
 * a definition's validation compiles every expression, and its plan then reuses them instead of
 * compiling them again (a 1,000-step definition of 4 KB expressions took about 1 s to compile,
 * half of it the second time); the same expression twice in a definition compiles once. A
 * compiled expression is immutable, so sharing it is safe.
 */
export function withCompiledExpressions<T>(expressions: CompiledExpressions, fn: () => T): T {
  const previous = cache;
  cache = expressions;
  try {
    return fn();
  } finally {
    cache = previous;
  }
}

function compileUncached(source: string, expect?: ExpectedType): CompiledExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      `Invalid expression: ${source.length} characters, at most ${MAX_EXPRESSION_LENGTH} are allowed`,
    );
  }
  if (source.trim() === '') throw new ExpressionError('Invalid expression: it is empty');
  let program: ParseResult;
  let type: string | undefined;
  try {
    program = env.parse(source);
    const checked = program.check();
    if (!checked.valid) throw checked.error ?? new Error('type check failed');
    type = checked.type;
  } catch (error) {
    const problem = unexpectedCharacterProblem(source, error) ?? overlapProblem(error) ?? reason(error);
    const place = expressionPlace(source, syntaxErrorOffset(error));
    throw new ExpressionError(`Invalid expression ${quote(source)}: ${problem}${place}`, {
      cause: error,
    });
  }
  const problem = findCostProblem(program.ast) ?? findSizeProblem(program.ast);
  if (problem !== null) throw new ExpressionError(`Invalid expression ${quote(source)}: ${problem}`);
  if (expect === 'boolean' && type !== undefined && type !== 'bool' && type !== 'dyn') {
    throw new ExpressionError(`Invalid condition ${quote(source)}: it returns ${type}, expected a boolean`);
  }
  guardIntRange(program.ast);
  guardDivision(program.ast);
  guardListIndex(program.ast);
  guardTimeRange(program.ast);
  guardStrings(program.ast);
  guardBytesText(program.ast);
  guardTimeZones(program.ast);
  guardTimestampText(program.ast);
  guardNumberText(program.ast);
  guardDurationText(program.ast);
  const run = program;
  const budgeted = needsReadBudget(program.ast);
  const shadows = shadowsScope(program.ast);
  const refs = stepReferences(program.ast);
  const stepRefs = Object.freeze(refs.names);
  const testedStepRefs = Object.freeze(refs.tested);
  // Refused in a new definition only, so that a version stored before still runs as it did.
  const newProblem =
    findDroppedKeyProblem(program.ast) ??
    findRepeatedKeyProblem(program.ast) ??
    findKeyTypeProblem(program.ast) ??
    findInvalidPatternProblem(program.ast) ??
    findLiteralConversionProblem(program.ast) ??
    findIntLiteralProblem(program.ast) ??
    findOptionalProblem(program.ast) ??
    findTimeZoneProblem(program.ast) ??
    findTimestampLiteralProblem(program.ast);
  const newDefinitionProblem =
    newProblem === null ? null : `Invalid expression ${quote(source)}: ${newProblem}`;
  /** One evaluation, reading the data through `budget`'s views unless it is null. */
  const evaluateWith = (scope: ExpressionScope, budget: ReadBudget | null): unknown => {
    let value: unknown;
    try {
      const data = { result: scope.result ?? null, input: scope.input ?? null, steps: scope.steps ?? {} };
      value = run(
        budget === null
          ? data
          : {
              result: budget.wrap(data.result),
              input: budget.wrap(data.input),
              steps: budget.wrap(data.steps),
            },
      );
    } catch (error) {
      if (budget?.exceeded) throw overBudget(source);
      const why = reason(error);
      const note = missingStepNote(why, stepRefs, scope.steps) || (shadows ? '' : fieldNote(error, scope));
      throw new ExpressionError(`Expression ${quote(source)} failed: ${why}${note}`, { cause: error });
    } finally {
      budget?.stop();
    }
    // CEL lets `||`, `&&` and `exists` absorb an error: a stopped evaluation fails all the same.
    if (budget?.exceeded) throw overBudget(source);
    return toJson(value, source, budget);
  };
  return Object.freeze({
    source,
    stepRefs,
    testedStepRefs,
    newDefinitionProblem,
    evaluate(scope: ExpressionScope): unknown {
      if (budgeted) return evaluateWith(scope, new ReadBudget());
      try {
        return evaluateWith(scope, null);
      } catch (error) {
        // The data may hold an object with its own `constructor` key, which the library reads only
        // through a map view (map-view.ts): again through the views, uncounted like the first run.
        // Whatever the error: CEL's `||` and `&&` absorb one side's error when the other decides,
        // so a first run whose side read such an object may end with the other side's error
        // ('No such key') where the views give true. No map view made: the data has no such
        // object, and the first run's error stands.
        const views = new ReadBudget(Number.POSITIVE_INFINITY);
        let value: unknown;
        try {
          value = evaluateWith(scope, views);
        } catch (retried) {
          throw views.mapViews > 0 ? retried : error;
        }
        if (views.mapViews === 0) throw error;
        return value;
      }
    },
  });
}

function overBudget(source: string): ExpressionError {
  return new ExpressionError(
    `Expression ${quote(source)} failed: it read more than ${MAX_EVALUATION_READS} values of run-time data (input, result, steps); loop over less, or do it in a step`,
  );
}

/**
 * When evaluation failed on a referenced step that has no output in this execution (a jump
 * skipped it, or it has not run yet), says so: the bare "No such key: big" does not.
 */
function missingStepNote(
  why: string,
  refs: readonly string[],
  steps: ExpressionScope['steps'] | undefined,
): string {
  const missing = refs.find(
    (name) => !Object.hasOwn(steps ?? {}, name) && why.endsWith(`No such key: ${name}`),
  );
  if (missing === undefined) return '';
  return ` (step '${missing}' has no output in this execution: it was skipped by a jump or has not run; test with '${missing}' in steps)`;
}

/**
 * Evaluates a condition.
 * @throws ExpressionError when evaluation fails or the value is not a boolean
 *   (`condition 'x' returned a string, expected a boolean`).
 */
export function evaluateCondition(expr: CompiledExpression, scope: ExpressionScope): boolean {
  const value = expr.evaluate(scope);
  if (typeof value !== 'boolean') {
    throw new ExpressionError(
      `condition ${quote(expr.source)} returned ${describe(value)}, expected a boolean`,
    );
  }
  return value;
}

/** A JSON-ish name of a value's type, with an article: `a string`, `null`, `a map`. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}

function quote(source: string): string {
  const flat = source.replace(/\s+/g, ' ').trim();
  return `'${flat.length > 80 ? `${textPrefix(flat, 77)}...` : flat}'`;
}

/** One line: the library's `summary`, else the first line of the message. */
function reason(error: unknown): string {
  if (error instanceof Error) {
    const summary = (error as { summary?: unknown }).summary;
    const text = typeof summary === 'string' && summary !== '' ? summary : error.message;
    return text.split('\n')[0] ?? text;
  }
  return String(error);
}

/**
 * An int or uint as a JSON number, refused (`fail`) when a double cannot hold it exactly: rounded,
 * a 64-bit id would reach the handler as another id.
 */
function exactNumber(value: bigint, fail: (why: string) => never): number {
  const number = Number(value);
  if (BigInt(number) === value) return number;
  return fail(
    `contains the integer ${value}, which a JSON number cannot hold exactly (keep it a string: string(x))`,
  );
}

/**
 * Copies a CEL value into fresh plain JSON: BigInt and uint → number (refused when not exact), Map → object, bytes →
 * base64, timestamp → ISO string, duration → `"1.5s"` (exact, see `duration-text.ts`), type → its name. Undefined in a list
 * becomes null and in a map is dropped (as `JSON.stringify` does).
 */
function toJson(root: unknown, source: string, budget: ReadBudget | null): unknown {
  let count = 0;
  const fail = (why: string): never => {
    throw new ExpressionError(`Expression ${quote(source)} failed: the result ${why}`);
  };
  const put = (out: Record<string, unknown>, key: string, value: unknown): void => {
    if (value === undefined) return;
    // A plain assignment to `__proto__` would set the prototype instead of a key.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = value;
    }
  };
  const convert = (given: unknown, depth: number): unknown => {
    if (++count > MAX_RESULT_VALUES) fail(`has more than ${MAX_RESULT_VALUES} values`);
    if (depth > MAX_RESULT_DEPTH) fail(`is nested deeper than ${MAX_RESULT_DEPTH} levels`);
    switch (typeof given) {
      case 'string':
      case 'boolean':
      case 'undefined':
        return given;
      case 'number':
        return Number.isFinite(given) ? given : fail(`contains the non-JSON number ${given}`);
      case 'bigint':
        return exactNumber(given, fail);
      case 'object':
        break;
      default:
        return fail(`contains a ${typeof given}, which is not JSON`);
    }
    if (given === null) return null;
    // Data the evaluation returned as it read it: copied from the data itself, not its view.
    const value = budget === null ? given : budget.unwrap(given);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) out.push(convert(value[i], depth + 1) ?? null);
      return out;
    }
    const out: Record<string, unknown> = {};
    if (value instanceof Map) {
      for (const [key, item] of value) put(out, String(key), convert(item, depth + 1));
      return out;
    }
    if (value instanceof Date) {
      return Number.isNaN(value.getTime()) ? fail('contains an invalid timestamp') : value.toISOString();
    }
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      for (const key of Object.keys(value))
        put(out, key, convert((value as Record<string, unknown>)[key], depth + 1));
      return out;
    }
    if (proto === UINT_PROTO) return exactNumber(BigInt(value.valueOf() as bigint), fail);
    if (proto === DURATION_PROTO) {
      const { seconds, nanos } = value as { seconds: bigint; nanos: number };
      return durationText(seconds, nanos);
    }
    if (proto === TYPE_PROTO) return String((value as { name: unknown }).name);
    return fail('contains an object that is not plain data');
  };
  return convert(root, 0) ?? null;
}
