/**
 * CEL compares numbers of different types by value (heterogeneous equality). @marcbachmann/cel-js
 * refused `1 == 1.0` and `1u == 1` when defined ("no such overload: int == double", "uint == int"),
 * though a number read from the data compared with either. {@link registerMixedEquality} registers
 * them: an int or uint equals a double only exactly (`9007199254740993 == 9007199254740992.0` does
 * not hold), and NaN equals nothing.
 *
 * Lists and maps of different number types (`[1] == [1.0]`, `1 in [1.0]`, `1.0 in {1: 'a'}`) are
 * still refused when defined: the library cannot take overloads for them that leave an operand typed
 * `dyn` (`input.n in [1]`, `1 in input.l`) to its own (it fails on the overlap, at run time for an
 * empty list), and map types cannot be registered at all.
 * @module
 */
import type { Environment } from '@marcbachmann/cel-js';

/** A uint of the library: an object whose `valueOf()` is a BigInt. */
interface Uint {
  valueOf(): bigint;
}

/** `value` as a JS number or BigInt when it is a CEL number (an int, a uint or a double), else undefined. */
function numeric(value: unknown, uintProto: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === uintProto) {
    return (value as Uint).valueOf();
  }
  return undefined;
}

/** Whether two CEL numbers are the same number: exactly, across types; NaN is no number's equal. */
function sameNumber(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'number' && Number.isNaN(a)) return false;
  if (typeof b === 'number' && Number.isNaN(b)) return false;
  // JavaScript compares a BigInt and a number by their exact values.
  // biome-ignore lint/suspicious/noDoubleEquals: the exact mixed comparison is the point
  return a == b;
}

/** Registers `==` (and so `!=`) of numbers across int, uint and double on `env`. */
export function registerMixedEquality(env: Environment): void {
  const uintProto: unknown = Object.getPrototypeOf(env.evaluate('1u'));
  const same = (a: unknown, b: unknown): boolean => {
    const x = numeric(a, uintProto);
    const y = numeric(b, uintProto);
    return x !== undefined && y !== undefined && sameNumber(x, y);
  };
  // Registering `==` gives `!=` and the reversed operands too.
  env.registerOperator('int == double', same);
  env.registerOperator('uint == double', same);
  env.registerOperator('uint == int', same);
}
