/**
 * A sorted list of whole numbers as text, runs of three or more as ranges: `1–150`, `1, 2, 4–9`.
 * A workflow redefined 150 times listed its 150 version numbers one by one in a message.
 * @module
 */

/** `sorted` (ascending, no repeats) as `a, b, c–d` text. */
export function numberRanges(sorted: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    if (j - i >= 2) parts.push(`${sorted[i]}–${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return parts.join(', ');
}
