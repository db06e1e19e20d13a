/**
 * A fraction 0..1 as the number of a percentage, for the CLI and the dashboard.
 * @module
 */

/**
 * `0.975` → `"97.5"` (`digits` decimals). A fraction short of 1 that would round to 100 is
 * `">99.9"`, and one above 0 that would round to 0 is `"<0.1"`: a success rate of 99.96 % is not
 * every execution, nor a retry rate of 1 in 10,000 none.
 */
export function percentText(fraction: number, digits: number): string {
  const text = (fraction * 100).toFixed(digits);
  const step = 10 ** -digits;
  if (fraction < 1 && Number(text) >= 100) return `>${(100 - step).toFixed(digits)}`;
  if (fraction > 0 && Number(text) <= 0) return `<${step.toFixed(digits)}`;
  return text;
}
