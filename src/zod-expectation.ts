/**
 * What a zod check wanted and what it got, read from the issue zod raised (its code and the
 * check's own limits), for the checks whose messages our schemas leave to zod: zod's texts
 * ("Invalid input: expected string, received number", "Too small: expected number to be >=1")
 * name neither the key's meaning nor the value in our words.
 * @module
 */
import type { z } from 'zod';
import { describeValue } from './describe-value.js';
import { constraintsOf } from './zod-constraints.js';

/** What a check wanted (`a string`, `a number of at least 1`) and the value it got, described. */
export interface Expectation {
  readonly what: string;
  readonly got: string;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'a bigint',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  record: 'an object',
  map: 'a Map',
  set: 'a Set',
  date: 'a date',
  function: 'a function',
  symbol: 'a symbol',
  null: 'null',
  undefined: 'undefined',
  nan: 'NaN',
  never: 'nothing (this key is not taken)',
};

/** What zod's `origin` of a size check measures: the noun, the unit and its singular. */
const SIZED: Readonly<Record<string, [noun: string, unit: string, one: string]>> = {
  string: ['a string', 'characters', 'character'],
  array: ['an array', 'entries', 'entry'],
  set: ['a set', 'entries', 'entry'],
  file: ['a file', 'bytes', 'byte'],
};

function amount(count: number | bigint, [, unit, one]: [string, string, string]): string {
  return `${count} ${count === 1 || count === 1n ? one : unit}`;
}

/** A value a size check refused, by its size (a long text is not repeated whole). */
function sized(input: unknown, origin: string): string {
  const size = SIZED[origin];
  const length = Array.isArray(input) || typeof input === 'string' ? input.length : undefined;
  if (size === undefined || length === undefined) return describeValue(input);
  if (length === 0) return typeof input === 'string' ? '""' : `an empty ${size[0].replace(/^an? /, '')}`;
  if (typeof input === 'string' && length <= 64) return describeValue(input);
  return `${size[0]} of ${amount(length, size)}`;
}

/** What a size or range check wanted, from its limit: `a non-empty string`, `an integer of at least 1`. */
function bound(
  issue: { origin: string; inclusive?: boolean; exact?: boolean },
  limit: number | bigint,
  side: 'min' | 'max',
): string {
  const size = SIZED[issue.origin];
  const inclusive = issue.inclusive !== false;
  if (size) {
    if (issue.exact) return `${size[0]} of exactly ${amount(limit, size)}`;
    if (side === 'min' && inclusive && Number(limit) === 1)
      return `a non-empty ${size[0].replace(/^an? /, '')}`;
    const word =
      side === 'min' ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'fewer than';
    return `${size[0]} of ${word} ${amount(limit, size)}`;
  }
  const kind = issue.origin === 'int' ? 'integer' : 'number';
  if (issue.exact) return `exactly ${limit}`;
  if (side === 'min' && Number(limit) === 0) return `a ${inclusive ? 'non-negative' : 'positive'} ${kind}`;
  const word = side === 'min' ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
  return `${kind === 'integer' ? 'an' : 'a'} ${kind} of ${word} ${limit}`;
}

function quoted(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** The choices of an enum or literal: `'a'`, `'a' or 'b'`, `one of 'a', 'b', 'c'`. */
function choices(values: readonly unknown[]): string {
  const list = values.map(quoted);
  if (list.length <= 2) return list.join(' or ');
  return `one of ${list.join(', ')}`;
}

/** The expectation behind `issue`, or undefined when zod's issue carries none to tell. */
export function expectationOf(issue: z.core.$ZodRawIssue): Expectation | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return {
        what: constraintsOf(issue.schema) ?? TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`,
        got: describeValue(issue.input),
      };
    case 'too_small':
      return {
        what: constraintsOf(issue.schema) ?? bound(issue, issue.minimum, 'min'),
        got: sized(issue.input, issue.origin),
      };
    case 'too_big':
      return {
        what: constraintsOf(issue.schema) ?? bound(issue, issue.maximum, 'max'),
        got: sized(issue.input, issue.origin),
      };
    case 'invalid_value':
      return { what: choices(issue.values), got: describeValue(issue.input) };
    case 'not_multiple_of':
      return { what: `a multiple of ${issue.divisor}`, got: describeValue(issue.input) };
    case 'invalid_format': {
      const pattern = 'pattern' in issue && issue.pattern ? ` matching ${issue.pattern}` : '';
      const what = issue.format === 'regex' ? `a string${pattern}` : `a string in ${issue.format} format`;
      return { what, got: describeValue(issue.input) };
    }
    case 'invalid_union': {
      // Each branch refused the value's type: name the types the branches take.
      const wanted = issue.errors.map((branch) =>
        branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0
          ? (TYPE_NAMES[branch[0].expected] ?? `a ${branch[0].expected}`)
          : undefined,
      );
      if (wanted.length === 0 || wanted.some((w) => w === undefined)) return undefined;
      return { what: [...new Set(wanted)].join(' or '), got: describeValue(issue.input) };
    }
    default:
      return undefined;
  }
}
