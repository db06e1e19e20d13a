/**
 * UTF-16 surrogates: a character past U+FFFF is a high (leading) unit and a low (trailing) one.
 * @module
 */

/** Whether a UTF-16 unit is a high (leading) surrogate. */
export function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** Whether a UTF-16 unit is a low (trailing) surrogate. */
export function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
