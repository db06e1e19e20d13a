/**
 * The character an expression's parser stopped at, named whole for the message refusing it. The
 * library names one UTF-16 unit (half of an emoji's surrogate pair, shown as `�`), and after a
 * complete expression the last unit of the token that follows (`123abc` gave `'c'` for the `a`);
 * an invisible character (a zero-width or no-break space pasted with the text, a NUL) showed as
 * nothing at all. Here a visible one is quoted with its code points (`"§" (U+00A7)`; an emoji with
 * its skin tone or a flag is the cluster of code points that shows as one), an invisible one is
 * named by its code point and what it is (`U+200B (zero width space)`).
 * @module
 */

import { ParseError } from '@marcbachmann/cel-js';
import { GRAPHEMES } from '../text-place.js';
import { syntaxErrorOffset } from './expression-place.js';

/** A character that shows as itself between quotes (a letter, digit, punctuation or symbol). */
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]/u;

/** Most code points of one cluster named together: past them (a letter under many marks), only the first. */
const MAX_CLUSTER_CODE_POINTS = 8;

/** Names of the invisible characters most often pasted into text by mistake. */
const NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'NUL'],
  [0x0b, 'vertical tab'],
  [0x0c, 'form feed'],
  [0x85, 'next line'],
  [0xa0, 'no-break space'],
  [0xad, 'soft hyphen'],
  [0x2007, 'figure space'],
  [0x200b, 'zero width space'],
  [0x200c, 'zero width non-joiner'],
  [0x200d, 'zero width joiner'],
  [0x200e, 'left-to-right mark'],
  [0x200f, 'right-to-left mark'],
  [0x2028, 'line separator'],
  [0x2029, 'paragraph separator'],
  [0x202f, 'narrow no-break space'],
  [0x2060, 'word joiner'],
  [0x3000, 'ideographic space'],
  [0xfe0f, 'emoji variation selector'],
  [0xfeff, 'byte order mark'],
]);

/** What an invisible character without a name is, by its Unicode category. */
const KINDS: ReadonlyArray<[RegExp, string]> = [
  [/\p{Cc}/u, 'a control character'],
  [/\p{Cs}/u, 'an unpaired surrogate'],
  [/\p{Z}/u, 'a space'],
  [/\p{M}/u, 'a combining mark'],
  [/\p{Cf}/u, 'a format character'],
  [/\p{Co}/u, 'a private-use character'],
];

/**
 * For a syntax error at a character the parser could not take (`unexpected_character`: one that
 * starts no token, or starts one after a complete expression), that character named; else null.
 */
export function unexpectedCharacterProblem(source: string, error: unknown): string | null {
  if (!(error instanceof ParseError) || error.code !== 'unexpected_character') return null;
  const offset = syntaxErrorOffset(error);
  return offset === null ? null : unexpectedCharacter(source, offset);
}

/**
 * `unexpected character "§" (U+00A7)` for the character at `offset` (UTF-16 units) of `source`,
 * `unexpected character U+200B (zero width space)` for an invisible one; null when `offset` is not
 * the place of a character in `source`.
 */
export function unexpectedCharacter(source: string, offset: number): string | null {
  if (!Number.isInteger(offset) || offset < 0 || offset >= source.length) return null;
  const first = String.fromCodePoint(source.codePointAt(offset)!);
  if (!VISIBLE.test(first)) return `unexpected character ${codePoint(first)} (${invisibleName(first)})`;
  const character = clusterAt(source, offset, first);
  return `unexpected character "${character}" (${Array.from(character, codePoint).join(' ')})`;
}

/**
 * The grapheme cluster starting at `offset` (what shows as one character), else `first` alone:
 * when `offset` is inside a cluster, the parser having taken its start, or the cluster is long.
 */
function clusterAt(source: string, offset: number, first: string): string {
  const found = GRAPHEMES.segment(source).containing(offset);
  if (found === undefined || found.index !== offset) return first;
  const count = Array.from(found.segment).length;
  return count <= MAX_CLUSTER_CODE_POINTS ? found.segment : first;
}

function invisibleName(character: string): string {
  const name = NAMES.get(character.codePointAt(0)!);
  if (name !== undefined) return name;
  return KINDS.find(([kind]) => kind.test(character))?.[1] ?? 'an unassigned code point';
}

/** `U+00A7`: at least four hex digits, as Unicode writes them. */
function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
