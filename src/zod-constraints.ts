/**
 * What a zod number, string or array schema takes, in words, from its own checks: `an integer
 * from 1 to 1000`, `a positive number of at most 1000000000`, `a non-empty string of at most 256
 * characters`. A refused value is then told everything the key takes at once, not one limit at a
 * time.
 * @module
 */
import type { z } from 'zod';

/** The definition of one check, as zod keeps it on the check (`_zod.def`). */
interface CheckDef {
  readonly check?: string;
  readonly format?: string;
  readonly value?: number | bigint;
  readonly inclusive?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly length?: number;
}

interface Limit {
  readonly value: number;
  readonly inclusive: boolean;
}

function checksOf(schema: z.core.$ZodType): CheckDef[] {
  const checks = (schema._zod.def as { checks?: { _zod: { def: CheckDef } }[] }).checks ?? [];
  return checks.map((check) => check._zod.def);
}

/** The tighter of two lower (`side` 1) or upper (`side` -1) limits. */
function tighter(a: Limit | undefined, b: Limit, side: 1 | -1): Limit {
  if (a === undefined) return b;
  if (a.value !== b.value) return (b.value - a.value) * side > 0 ? b : a;
  return a.inclusive ? b : a;
}

function numberPhrase(checks: CheckDef[]): string {
  let lower: Limit | undefined;
  let upper: Limit | undefined;
  let integer = false;
  for (const def of checks) {
    if (def.check === 'number_format' && def.format !== 'float32' && def.format !== 'float64') integer = true;
    if (typeof def.value !== 'number') continue;
    const limit = { value: def.value, inclusive: def.inclusive !== false };
    if (def.check === 'greater_than') lower = tighter(lower, limit, 1);
    if (def.check === 'less_than') upper = tighter(upper, limit, -1);
  }
  const kind = integer ? 'integer' : 'number';
  if (lower && upper && lower.inclusive && upper.inclusive && lower.value !== 0)
    return `${integer ? 'an' : 'a'} ${kind} from ${lower.value} to ${upper.value}`;
  const parts: string[] = [];
  let noun = `${integer ? 'an' : 'a'} ${kind}`;
  if (lower?.value === 0) noun = `a ${lower.inclusive ? 'non-negative' : 'positive'} ${kind}`;
  else if (lower) parts.push(`${lower.inclusive ? 'at least' : 'more than'} ${lower.value}`);
  if (upper) parts.push(`${upper.inclusive ? 'at most' : 'less than'} ${upper.value}`);
  return parts.length === 0 ? noun : `${noun} of ${parts.join(' and ')}`;
}

function count(n: number, unit: string, one: string): string {
  return `${n} ${n === 1 ? one : unit}`;
}

function sizePhrase(checks: CheckDef[], noun: string, unit: string, one: string): string {
  let min = 0;
  let max: number | undefined;
  for (const def of checks) {
    if (def.check === 'min_length' && typeof def.minimum === 'number') min = Math.max(min, def.minimum);
    if (def.check === 'max_length' && typeof def.maximum === 'number')
      max = Math.min(max ?? def.maximum, def.maximum);
    if (def.check === 'length_equals' && typeof def.length === 'number') {
      min = def.length;
      max = def.length;
    }
  }
  const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
  if (max !== undefined && min === max) return `${article} ${noun} of exactly ${count(max, unit, one)}`;
  const start = min === 1 ? `a non-empty ${noun}` : `${article} ${noun}`;
  if (min > 1 && max !== undefined) return `${start} of ${min} to ${count(max, unit, one)}`;
  if (min > 1) return `${start} of at least ${count(min, unit, one)}`;
  if (max !== undefined) return `${start} of at most ${count(max, unit, one)}`;
  return start;
}

/** What `schema` takes, when it is a number, string or array schema with limits; else undefined. */
export function constraintsOf(schema: z.core.$ZodType | undefined): string | undefined {
  if (schema === undefined) return undefined;
  const checks = checksOf(schema);
  if (checks.length === 0) return undefined;
  switch (schema._zod.def.type) {
    case 'number':
      return numberPhrase(checks);
    case 'string':
      return sizePhrase(checks, 'string', 'characters', 'character');
    case 'array':
      return sizePhrase(checks, 'array', 'entries', 'entry');
    default:
      return undefined;
  }
}
