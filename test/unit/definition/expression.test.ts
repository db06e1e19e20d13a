import util from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  evaluateCondition,
  MAX_EXPRESSION_LENGTH,
} from '../../../src/definition/expression.js';
import { unsafePatternReason } from '../../../src/definition/expression-guard.js';
import { MAX_EVALUATION_READS } from '../../../src/definition/read-budget.js';
import type { ExpressionScope } from '../../../src/definition/types.js';
import { ExpressionError } from '../../../src/errors.js';

const scope = (result: unknown, extra: Partial<ExpressionScope> = {}): ExpressionScope => ({
  result,
  input: { audioUrl: 'https://example.com/a.wav', userId: 123 },
  steps: { stt: { output: { text: 'hello', confidence: 0.9 } } },
  ...extra,
});

const evaluate = (source: string, s: ExpressionScope = scope({})) => compileExpression(source).evaluate(s);

/** `a, a, ..., a`: ten references to `v`. */
const tenOf = (v: string) => Array.from({ length: 10 }, () => v).join(', ');

/**
 * `cel.bind(b, <build(a)>, cel.bind(c, <build(b)>, ...))`, `levels` binds deep, the first of
 * them over a ten-item list unless `first` names a variable bound outside.
 */
function nestedBinds(levels: number, build: (previous: string) => string, first?: string): string {
  const names = 'bcdefghijklmnop'.split('');
  let source = names[levels - 1] ?? 'x';
  for (let i = levels - 1; i >= 0; i--) {
    const value =
      i === 0 ? (first === undefined ? `[${tenOf('1')}]` : build(first)) : build(names[i - 1] ?? 'x');
    source = `cel.bind(${names[i]}, ${value}, ${source})`;
  }
  return source;
}

function expressionError(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).code).toBe('EXPRESSION_ERROR');
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('compileExpression / evaluate', () => {
  it("evaluates the seed's condition `result.status == 'success'`", () => {
    const expr = compileExpression("result.status == 'success'");
    expect(expr.source).toBe("result.status == 'success'");
    expect(evaluateCondition(expr, scope({ status: 'success' }))).toBe(true);
    expect(evaluateCondition(expr, scope({ status: 'failed' }))).toBe(false);
  });

  it('builds input maps from step outputs, workflow input and literals', () => {
    expect(evaluate("{'text': steps.stt.output.text}")).toEqual({ text: 'hello' });
    expect(
      evaluate("{'text': steps.stt.output.text, 'user': input.userId, 'n': 1, 'tags': ['a', 2]}"),
    ).toEqual({
      text: 'hello',
      user: 123,
      n: 1,
      tags: ['a', 2],
    });
    expect(evaluate('input')).toEqual({ audioUrl: 'https://example.com/a.wav', userId: 123 });
  });

  it('returns plain JSON: numbers not BigInt, fresh copies, CEL-only values converted', () => {
    expect(evaluate('1 + 2')).toBe(3);
    expect(evaluate('size([1, 2, 3])')).toBe(3);
    expect(evaluate('[1, 2].map(x, x * 2)')).toEqual([2, 4]);
    expect(evaluate('1u')).toBe(1);
    expect(evaluate("b'ab'")).toBe('YWI=');
    expect(evaluate("timestamp('2024-01-01T00:00:00Z')")).toBe('2024-01-01T00:00:00.000Z');
    expect(evaluate("duration('1.5s')")).toBe('1.5s');
    expect(evaluate('type(1)')).toBe('int');
    expect(evaluate('null')).toBeNull();
    const result = { nested: { list: [1, { a: 2 }] } };
    const copy = evaluate('result', scope(result)) as typeof result;
    expect(copy).toEqual(result);
    expect(copy).not.toBe(result);
    expect(copy.nested.list).not.toBe(result.nested.list);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('converts Map values from the scope to plain objects and keeps `__proto__` keys as data', () => {
    const value = evaluate('result', scope({ m: new Map<string, unknown>([['k', 1]]) })) as Record<
      string,
      unknown
    >;
    expect(value).toEqual({ m: { k: 1 } });
    const withProto = evaluate('result', scope(JSON.parse('{"__proto__": {"x": 1}}'))) as object;
    expect(Object.getPrototypeOf(withProto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(withProto)).toEqual(['__proto__']);
  });

  it('compares JSON numbers (doubles) with integer literals, and mixes ints and doubles in arithmetic', () => {
    const s = scope({ count: 5, ratio: 0.5 });
    expect(evaluate('result.count > 3', s)).toBe(true);
    expect(evaluate('result.count == 5', s)).toBe(true);
    expect(evaluate('result.count >= 5 && result.count < 6', s)).toBe(true);
    expect(evaluate('result.count in [4, 5]', s)).toBe(true);
    expect(evaluate('result.ratio < 1', s)).toBe(true);
    expect(evaluate('result.count + 1', s)).toBe(6);
    expect(evaluate('2 * result.count', s)).toBe(10);
    expect(evaluate('result.count / 2', s)).toBe(2.5);
    expect(evaluate('result.count - 1 == 4', s)).toBe(true);
    expect(evaluate('7 / 2')).toBe(3); // int / int stays integer division, as CEL says
  });

  it('takes the remainder of JSON numbers that hold whole numbers, as of integers', () => {
    const s = scope({ n: 7, even: 4, neg: -7, big: 2 ** 53, half: 2.5 });
    expect(evaluate('result.n % 2', s)).toBe(1);
    expect(evaluate('result.even % 2 == 0', s)).toBe(true);
    expect(evaluate('result.n % 2 == 0', s)).toBe(false);
    expect(evaluate('result.neg % 2', s)).toBe(-1); // truncated, as CEL's int % is
    expect(evaluate('17 % result.even', s)).toBe(1);
    expect(evaluate('result.n % result.even', s)).toBe(3);
    expect(evaluate('result.big % 10', s)).toBe(2);
    expect(evaluate('7 % 3')).toBe(1); // int % int is untouched
    expect(compileExpression('result.n % 2 == 1', 'boolean').evaluate(s)).toBe(true);
  });

  // An int past 2^53 (a literal, or int() of a 64-bit id kept as a string) lost precision when
  // % turned it into a double: int('9007199254740993') % 2 over a JSON 2 answered 0, not 1.
  it('takes the exact remainder of an int beyond 2^53 and a JSON number', () => {
    const s = scope({ id: '9007199254740993', two: 2, seven: 7, big: 2 ** 60 });
    expect(evaluate('int(result.id) % result.two', s)).toBe(1);
    expect(evaluate('int(result.id) % 2', s)).toBe(1); // int % int, for comparison
    expect(evaluate('9223372036854775807 % result.seven', s)).toBe(0);
    expect(evaluate('result.big % 9007199254740993', s)).toBe(Number(2n ** 60n % 9007199254740993n));
    expect(evaluate('-9223372036854775806 % result.seven', s)).toBe(-6);
  });

  // The result is JSON: an int a JSON number cannot hold exactly (a 64-bit id) was rounded to the
  // nearest double without a word, so a handler got another id than the one the expression built.
  it('refuses a result holding an int or uint that a JSON number cannot hold exactly', () => {
    const s = scope({ id: '9007199254740993' });
    expect(expressionError(() => evaluate("{'id': int(result.id)}", s)).message).toBe(
      "Expression '{'id': int(result.id)}' failed: the result contains the integer 9007199254740993, " +
        'which a JSON number cannot hold exactly (keep it a string: string(x))',
    );
    expect(expressionError(() => evaluate('[uint(result.id)]', s)).message).toContain(
      'the integer 9007199254740993,',
    );
    expect(expressionError(() => evaluate('-9223372036854775807')).message).toContain(
      'the integer -9223372036854775807,',
    );
    // An int a double holds exactly passes, however large; so does a string of the digits.
    expect(evaluate('9007199254740992')).toBe(2 ** 53);
    expect(evaluate('int(1e17)')).toBe(1e17);
    expect(evaluate('-9223372036854775807 - 1')).toBe(-(2 ** 63));
    expect(evaluate('string(int(result.id))', s)).toBe('9007199254740993');
  });

  it('refuses % on a fraction or by zero with an EXPRESSION_ERROR that says so', () => {
    const s = scope({ n: 7, zero: 0, half: 2.5 });
    expect(expressionError(() => evaluate('result.half % 2', s)).message).toBe(
      "Expression 'result.half % 2' failed: % needs whole numbers, got 2.5 % 2",
    );
    expect(expressionError(() => evaluate('result.n % result.half', s)).message).toContain(
      '% needs whole numbers, got 7 % 2.5',
    );
    expect(expressionError(() => evaluate('result.n % 0', s)).message).toContain('modulo by zero');
    expect(expressionError(() => evaluate('result.n % result.zero', s)).message).toContain('modulo by zero');
    expect(expressionError(() => evaluate('7 % result.zero', s)).message).toContain('modulo by zero');
  });

  it('reports a missing key with the expression and the reason', () => {
    const error = expressionError(() => evaluate('result.missing', scope({ status: 'x' })));
    expect(error.message).toBe(
      "Expression 'result.missing' failed: No such key: missing (the keys of result: 'status')",
    );
    expect(expressionError(() => evaluate('steps.nope.output')).message).toContain('No such key: nope');
    expect(evaluate('has(result.missing)', scope({}))).toBe(false);
  });

  // A field read of null or of a scalar failed as "No such key: x", as if a map lacked the key:
  // `result.text` in a first step (no previous step: result is null) did not say so.
  it('says when the value a field is read from is null or not a map', () => {
    expect(expressionError(() => evaluate("{'t': result.text}", scope(null))).message).toBe(
      "Expression '{'t': result.text}' failed: No such key: text (result is null: there is no previous step, or it returned null)",
    );
    const s = scope({ user: { id: 5, tags: ['a'] } }, { input: { n: null } });
    expect(expressionError(() => evaluate('result.user.id.value', s)).message).toBe(
      "Expression 'result.user.id.value' failed: No such key: value (result.user.id is a number, not a map)",
    );
    expect(expressionError(() => evaluate('result.user.tags.first', s)).message).toContain(
      '(result.user.tags is a list, not a map)',
    );
    expect(expressionError(() => evaluate('input.n.x', s)).message).toContain('(input.n is null)');
    // A map that lacks the key names its keys (expression-missing-key.test.ts); names a
    // comprehension binds get no note.
    expect(expressionError(() => evaluate('result.user.name', s)).message).toBe(
      "Expression 'result.user.name' failed: No such key: name (the keys of result.user: 'id', 'tags')",
    );
    expect(expressionError(() => evaluate('[{}].map(result, result.x)', s)).message).toBe(
      "Expression '[{}].map(result, result.x)' failed: No such key: x",
    );
  });

  it('names a referenced step that has no output (skipped by a jump, or not run yet) and how to test for it', () => {
    // The scope has stt only: `big` was skipped by a conditional step's jump.
    const error = expressionError(() => evaluate("{'size': steps.big.output.size}"));
    expect(evaluate("'big' in steps ? steps.big.output.size : steps.stt.output.text")).toBe('hello');
    expect(error.message).toBe(
      "Expression '{'size': steps.big.output.size}' failed: No such key: big " +
        "(step 'big' has no output in this execution: it was skipped by a jump or has not run; test with 'big' in steps)",
    );
    // A failure that is not about a missing step gets no such note (a missing key's instead).
    expect(expressionError(() => evaluate('steps.stt.output.nope')).message).toBe(
      "Expression 'steps.stt.output.nope' failed: No such key: nope (the keys of steps.stt.output: 'text', 'confidence')",
    );
  });

  it('reports evaluation errors: no overload, division by zero, overflow, bad conversion', () => {
    expect(expressionError(() => evaluate('result.status + 1', scope({ status: 'a' }))).message).toContain(
      'no such overload',
    );
    expect(expressionError(() => evaluate('1 / 0')).message).toContain('division by zero');
    expect(expressionError(() => evaluate('9223372036854775807 + 1')).message).toContain('overflow');
    expect(expressionError(() => evaluate("int('x')")).message).toContain('int()');
    expect(expressionError(() => evaluate("b'{x'.json()")).message).toMatch(/failed/);
  });

  it('refuses results that are not JSON', () => {
    expect(expressionError(() => evaluate("double('Infinity')")).message).toContain(
      'non-JSON number Infinity',
    );
    expect(expressionError(() => evaluate('result', scope({ f: () => 1 }))).message).toContain('function');
    class Secret {
      x = 1;
    }
    expect(expressionError(() => evaluate('result', scope({ k: new Secret() }))).message).toContain(
      'not plain data',
    );
    expect(expressionError(() => evaluate('result', scope(new Secret()))).message).toContain(
      'Unsupported type',
    );
    expect(expressionError(() => evaluate('result.x', scope(new Secret()))).message).toContain(
      'Unsupported type',
    );
  });

  it('bounds the size of a result built from shared references', () => {
    // 10^7 leaves reachable through shared references, from data the expression only returns.
    let shared: unknown = 1;
    for (let i = 0; i < 7; i++) shared = Array.from({ length: 10 }, () => shared);
    expect(expressionError(() => evaluate('result', scope(shared))).message).toContain(
      'has more than 1000000 values',
    );
    // Six binds reach 10^6 by the static bound, so they run, and the result's budget stops them.
    expect(expressionError(() => evaluate(nestedBinds(6, (v) => `[${tenOf(v)}]`))).message).toContain(
      'has more than 1000000 values',
    );
  }, 30_000);

  // The static bound counts run-time data as one value: two nested loops over a list from the
  // input ran n² steps, blocking the process (100,000 items: hours, or out of memory with a copy
  // in the loop), and `exists` answered after evaluating everything.
  it('stops an evaluation that reads more run-time data than its budget, naming the limit', () => {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const s = scope(null, { input: { items, copies: items.map((i) => ({ i })) } });
    const nested = 'input.items.exists(a, input.items.exists(b, a == b + 100000))';
    expect(expressionError(() => evaluate(nested, s)).message).toBe(
      `Expression '${nested}' failed: it read more than ${MAX_EVALUATION_READS} values of run-time data ` +
        '(input, result, steps); loop over less, or do it in a step',
    );
    // A copy in the loop stops too; `||` does not absorb the error.
    expect(
      expressionError(() => evaluate('input.copies.map(x, input.copies + input.copies)', s)).message,
    ).toContain(`it read more than ${MAX_EVALUATION_READS} values`);
    expect(expressionError(() => evaluate(`false || ${nested}`, s)).message).toContain(
      'values of run-time data',
    );
    // Without a loop, more than 16 operations that may go over a whole list are counted too.
    const l = Array.from({ length: 60_000 }, (_, i) => i);
    const sum = (n: number) => `size(${Array.from({ length: n }, () => 'input.l').join(' + ')})`;
    expect(expressionError(() => evaluate(sum(20), scope(null, { input: { l } }))).message).toContain(
      'values of run-time data',
    );
    expect(evaluate(sum(8), scope(null, { input: { l } }))).toBe(480_000);
    // One loop over a large list is within the budget; the result is plain data, not a view of the input.
    const large = Array.from({ length: 50_000 }, (_, i) => ({ price: i }));
    const prices = evaluate('input.large.map(x, x.price)', scope(null, { input: { large } })) as number[];
    expect(prices).toHaveLength(50_000);
    expect(prices[49_999]).toBe(49_999);
    const copy = evaluate('input.large.filter(x, x.price == 1)[0]', scope(null, { input: { large } }));
    expect(copy).toEqual({ price: 1 });
    expect(copy).not.toBe(large[1]);
    expect(util.types.isProxy(copy)).toBe(false);
  }, 30_000);

  // Eight binds of `a + a + ... + a` (400 characters) built a list of 10^8 items while
  // evaluating, and the process died out of memory: the result's budget came too late.
  it('refuses at compile time an expression whose bound variables multiply past the budget', () => {
    const copies = nestedBinds(8, (v) => tenOf(v).replaceAll(', ', ' + '));
    expect(copies.length).toBeLessThan(500);
    expect(expressionError(() => compileExpression(copies)).message).toContain(
      'it could build a value of more than 1000000 items or characters',
    );
    const shared = nestedBinds(7, (v) => `[${tenOf(v)}]`);
    expect(expressionError(() => compileExpression(shared)).message).toContain('more than 1000000 items');
    const text = `cel.bind(a, '${'x'.repeat(2000)}', ${nestedBinds(3, (v) => tenOf(v).replaceAll(', ', ' + '), 'a')})`;
    expect(expressionError(() => compileExpression(text)).message).toContain('or characters');
    const loops =
      'cel.bind(a, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], cel.bind(b, a + a + a + a + a + a + a + a + a + a, cel.bind(c, b + b + b + b + b + b + b + b + b + b, cel.bind(d, c + c + c + c + c + c + c + c + c + c, d.all(x, d.all(y, x == y))))))';
    expect(expressionError(() => compileExpression(loops)).message).toContain('more than 10000000 steps');
    // Ordinary expressions are far from the bounds.
    expect(evaluate('[1, 2, 3].map(x, [4, 5].map(y, x * y))')).toEqual([
      [4, 5],
      [8, 10],
      [12, 15],
    ]);
    expect(evaluate("cel.bind(t, steps.stt.output.text, t + ' ' + t)")).toBe('hello hello');
  });

  // The bound took a call's value as no bigger than its arguments together, but join(sep) puts
  // the separator between every two items, hex() doubles and bytes() may triple: binds of
  // l.join(previous) over a list of 100 '' (600 characters) ran the process out of memory, and
  // 26 nested bytes(...).hex() (350 characters) built 134 million characters.
  it('refuses at compile time joins, hex() and bytes() that multiply past the budget', () => {
    const empties = `[${Array.from({ length: 100 }, () => "''").join(',')}]`;
    const joins = `cel.bind(l, ${empties}, cel.bind(a, l.join('xxxxx'), cel.bind(b, l.join(a), cel.bind(c, l.join(b), size(c.split(''))))))`;
    expect(joins.length).toBeLessThan(700);
    expect(expressionError(() => compileExpression(joins)).message).toContain(
      'it could build a value of more than 1000000 items or characters',
    );
    let hex = "'xx'";
    for (let i = 0; i < 26; i++) hex = `bytes(${hex}).hex()`;
    expect(expressionError(() => compileExpression(`size(${hex})`)).message).toContain('more than 1000000');
    expect(
      expressionError(() => compileExpression(`size(${hex.replaceAll('.hex()', '.base64()')})`)).message,
    ).toContain('more than 1000000');
    // What they do on ordinary data passes.
    expect(evaluate("['a', 'b'].join(', ') + 'a,b'.split(',').join('')")).toBe('a, bab');
    expect(evaluate("bytes('€').hex() + b'ab'.base64()")).toBe('e282acYWI=');
    expect(evaluate("steps.stt.output.text.split('l').join('L')")).toBe('heLLo');
  });

  it('treats an undefined result or input as null', () => {
    const expr = compileExpression('result == null && input == null');
    expect(expr.evaluate({ result: undefined, input: undefined, steps: {} })).toBe(true);
  });

  it('refuses syntax and type errors at compile time', () => {
    expect(expressionError(() => compileExpression("result.status == 'x")).message).toMatch(
      /^Invalid expression 'result.status == 'x': /,
    );
    expect(expressionError(() => compileExpression('result.')).message).toContain('Invalid expression');
    expect(expressionError(() => compileExpression("'a' + 1")).message).toContain('no such overload');
    expect(expressionError(() => compileExpression('unknownVar > 1')).message).toContain('Unknown variable');
    expect(expressionError(() => compileExpression('foo(1)')).message).toContain('foo(int)');
    expect(expressionError(() => compileExpression('')).message).toContain('empty');
    expect(expressionError(() => compileExpression('   ')).message).toContain('empty');
    expect(expressionError(() => compileExpression(42 as unknown as string)).message).toContain('string');
  });

  it('enforces the length, AST size and depth limits', () => {
    const long = `result.a == '${'x'.repeat(MAX_EXPRESSION_LENGTH)}'`;
    expect(expressionError(() => compileExpression(long)).message).toContain('at most 4096');
    const many = Array.from({ length: 1200 }, () => '1').join('+');
    expect(many.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
    expect(expressionError(() => compileExpression(many)).message).toContain('maxAstNodes');
    const deep = `${'['.repeat(40)}1${']'.repeat(40)}`;
    expect(expressionError(() => compileExpression(deep)).message).toContain('maxDepth');
  });

  it('bounds comprehension nesting', () => {
    expect(evaluate('[1, 2].map(x, [1].map(y, x * y))')).toEqual([[1], [2]]);
    const error = expressionError(() => compileExpression('[1].map(x, [1].map(y, [1].map(z, z)))'));
    expect(error.message).toContain('comprehensions may nest at most 2 deep');
  });

  it('guards matches(): literal, non-catastrophic patterns only', () => {
    expect(evaluate("result.s.matches('^[a-z]+!$')", scope({ s: 'abc!' }))).toBe(true);
    expect(evaluate("result.s.matches('^(?:ab)+$')", scope({ s: 'abab' }))).toBe(true);
    expect(expressionError(() => compileExpression('result.s.matches(input.p)')).message).toContain(
      'string literal pattern',
    );
    expect(expressionError(() => compileExpression("result.s.matches('^(a+)+$')")).message).toContain(
      'catastrophic backtracking',
    );
    expect(expressionError(() => compileExpression("result.s.matches('(a|aa)*$')")).message).toContain(
      'catastrophic',
    );
    // this cel-js version has only the receiver form; the global form does not type-check
    expect(() => compileExpression("matches(result.s, 'a')")).toThrow(ExpressionError);
  });

  it('classifies regular expressions conservatively', () => {
    for (const safe of [
      '^[a-z]+$',
      '(ab)+',
      '(?:foo)?bar',
      'a{2,5}',
      '(?<y>\\d{4})-\\d+',
      '[(a+)+]+',
      '(a|b)c',
    ]) {
      expect(unsafePatternReason(safe), safe).toBeNull();
    }
    for (const unsafe of [
      '(a+)+',
      '(a*)*',
      '(a|aa)+',
      '((ab)+)+',
      '(a+){2,}',
      '(.*a){3}',
      '(a)\\1',
      'x'.repeat(300),
    ]) {
      expect(unsafePatternReason(unsafe), unsafe).not.toBeNull();
    }
  });
});

describe('evaluateCondition', () => {
  it('refuses non-boolean values, naming the type', () => {
    const s = scope({ status: 'success', n: 1, list: [], map: {} });
    const cases: [string, string][] = [
      ['result.status', "condition 'result.status' returned a string, expected a boolean"],
      ['result.n', "condition 'result.n' returned a number, expected a boolean"],
      ['result.list', "condition 'result.list' returned a list, expected a boolean"],
      ['result.map', "condition 'result.map' returned a map, expected a boolean"],
      ['null', "condition 'null' returned null, expected a boolean"],
    ];
    for (const [source, message] of cases) {
      expect(expressionError(() => evaluateCondition(compileExpression(source), s)).message).toBe(message);
    }
  });

  it("refuses a condition whose static type is not bool when compiled with expect 'boolean'", () => {
    expect(expressionError(() => compileExpression("'yes'", 'boolean')).message).toContain(
      'returns string, expected a boolean',
    );
    expect(compileExpression('result.ok', 'boolean').source).toBe('result.ok');
  });
});

describe('expression injection corpus', () => {
  const corpus = [
    "constructor.constructor('return process')()",
    "result.constructor.constructor('return process')()",
    "result['constructor']['constructor']('return process')()",
    "result.status.constructor.constructor('return globalThis')()",
    "result.constructor.constructor('return process')",
    'result.constructor',
    'result.__proto__',
    "result['__proto__']",
    "result['constr' + 'uctor']",
    "steps['constructor']",
    'steps.__proto__',
    'input.constructor.prototype',
    'result.toString()',
    "result.hasOwnProperty('status')",
    'result.status.length',
    'process.env',
    'process',
    'globalThis',
    'this',
    'require',
    "$eval('1')",
    "eval('1')",
    "Function('return 1')()",
    "import('node:fs')",
    "{'__proto__': {'polluted': true}}.polluted",
    'has(result.__proto__.polluted) && result.__proto__.polluted',
  ];

  it.each(corpus)('refuses %s at compile or evaluation time', (source) => {
    const run = () => compileExpression(source).evaluate(scope({ status: 'success' }));
    expect(run).toThrow(ExpressionError);
  });

  it('leaves no prototype pollution behind', () => {
    for (const source of corpus) {
      try {
        compileExpression(source).evaluate(scope({ status: 'success' }));
      } catch {
        // every entry throws; the point is what is left afterwards
      }
    }
    expect(evaluate("{'__proto__': {'polluted': true}}")).toEqual({});
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(Object.keys(Array.prototype)).toEqual([]);
    expect({}.constructor).toBe(Object);
  });
});
