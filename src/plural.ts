/**
 * A count with its word in the right number, for messages and pages alike.
 * @module
 */

/** `1 step`, `3 steps`; `many` for a word whose plural is not `word + s`. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
