/**
 * How an alert writes a figure beside the threshold it passed: with as few decimals as its
 * message uses, and more only where those would print the two alike ("33% (threshold 33%)" for a
 * rate of 0.334 over 0.333 reads as no reason to alert).
 * @module
 */

/**
 * `value` and `threshold` as text with `decimals` decimals, or with the fewest more (up to
 * `decimals + 6`) that tell them apart when they differ.
 */
export function overThresholdText(value: number, threshold: number, decimals: number): [string, string] {
  let shown: [string, string] = [value.toFixed(decimals), threshold.toFixed(decimals)];
  for (let d = decimals + 1; shown[0] === shown[1] && value !== threshold && d <= decimals + 6; d++) {
    shown = [value.toFixed(d), threshold.toFixed(d)];
  }
  return shown;
}
