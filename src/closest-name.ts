/**
 * "Did you mean …?": the known name a misspelt one most likely stands for, so that an unknown
 * key (`retyr`, `maxAtempts`, `wokflowId`) is refused with the key that was meant beside it.
 * @module
 */
import { echo } from './echo.js';

/** Names longer than this are not compared (a 10,000-character key is no typo of a known one). */
const MAX_COMPARED = 64;

/**
 * The candidate closest to `word`, or null when none is close enough. Names are compared without
 * regard to case, by the number of characters inserted, deleted, replaced or swapped with their
 * neighbour to turn one into the other; a candidate counts when that number is at most a third of
 * the word's length (at least 1; none for a word of one or two characters, where one edit is half
 * the word: `b` does not suggest `a`). On a tie the first candidate given wins.
 */
export function closestName(word: string, candidates: Iterable<string>): string | null {
  if (word.length === 0 || word.length > MAX_COMPARED) return null;
  const lower = word.toLowerCase();
  let limit = word.length < 3 ? 0 : Math.max(1, Math.floor(word.length / 3));
  let best: string | null = null;
  for (const candidate of candidates) {
    if (candidate === word || candidate.length > MAX_COMPARED) continue;
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance > limit || (best !== null && distance === limit)) continue;
    best = candidate;
    // A later candidate must be strictly closer to win.
    limit = distance;
    if (distance === 0) break;
  }
  return best;
}

/** The question for an unknown `word`: `did you mean 'x'?`, or '' when no candidate is close. */
export function meantQuestion(word: string, candidates: Iterable<string>): string {
  const name = closestName(word, candidates);
  return name === null ? '' : `did you mean ${echo(name)}?`;
}

/** The text added to a message about an unknown `word`: ` (did you mean 'x'?)`, or ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const question = meantQuestion(word, candidates);
  return question === '' ? '' : ` (${question})`;
}

/**
 * Edits from `a` to `b`: insertions, deletions, replacements and swaps of two neighbours (the
 * optimal string alignment distance).
 */
function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, before[j - 2]! + 1);
      }
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}
