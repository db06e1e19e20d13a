/**
 * A CEL duration as the JSON text `duration()` reads back: whole seconds and up to nine fraction
 * digits, exact (`"1.5s"`, `"0.000000001s"`, `"-0.5s"`). Computed through milliseconds in a double,
 * `duration('1ns')` came out as `"9.999999999999999e-10s"`, which `duration()` refuses, and a
 * duration past 2^53 ms lost its last digits.
 * @module
 */

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * The text of a duration of `seconds` and `nanos` (the expression library's fields: `nanos` may
 * carry the sign of `seconds` or the opposite one, `1s - 2.5s` being `-2s + 0.5s`).
 */
export function durationText(seconds: bigint, nanos: number): string {
  const total = seconds * NANOS_PER_SECOND + BigInt(Math.round(nanos));
  const sign = total < 0n ? '-' : '';
  const size = total < 0n ? -total : total;
  const whole = size / NANOS_PER_SECOND;
  const fraction = size % NANOS_PER_SECOND;
  if (fraction === 0n) return `${sign}${whole}s`;
  const digits = fraction.toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${whole}.${digits}s`;
}
