/**
 * How many terminal columns text takes, for padding and cutting aligned output: a string's
 * `length` counts UTF-16 code units, so a CJK ideograph (two columns) counted one, an emoji (a
 * surrogate pair, two columns) two, and a combining accent (no column) one.
 *
 * The rules, per code point, in the spirit of `wcwidth` (East Asian Width W and F: two columns;
 * ambiguous A: one, as outside CJK locales):
 * - two columns: the {@link WIDE} ranges below, and emoji with the Emoji_Presentation property
 *   (😀, ✅; a text-presentation one such as ❤ followed by U+FE0F, ❤️, too);
 * - no column: control characters (the CLI shows those as escapes anyway), combining marks (Mn,
 *   Me: U+0301), format characters (Cf: zero-width space and joiners, word joiner, BOM, tags)
 *   but the soft hyphen, Hangul conjoining vowels and final consonants, variation selectors;
 * - within one emoji: an emoji joined by a ZWJ to the one before it (👩‍💻), a skin-tone
 *   modifier after its base (👍🏽), the second regional indicator of a flag (🇯🇵) add nothing;
 * - one column: everything else.
 * Terminals differ on some emoji sequences; these are the common renderings.
 * @module
 */

/**
 * Ranges (inclusive) of East Asian Wide and Fullwidth code points, condensed to blocks (their few
 * unassigned points would be wide too); emoji are found by property instead.
 */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2329, 0x232a], // angle brackets 〈 〉
  [0x2e80, 0x303e], // CJK radicals, Kangxi radicals, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, enclosed CJK, CJK compatibility
  [0x3400, 0x4dbf], // CJK unified ideographs extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi syllables and radicals
  [0xa960, 0xa97f], // Hangul Jamo extended-A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth ASCII forms
  [0xffe0, 0xffe6], // fullwidth signs ￠ ￥
  [0x16fe0, 0x16fe4], // ideographic symbols
  [0x17000, 0x18cff], // Tangut, Khitan
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x3fffd], // CJK extensions B onwards (planes 2 and 3)
];

/** Combining marks, format characters, and the Hangul conjoining vowels and final consonants. */
const ZERO = /^(?:\p{Mn}|\p{Me}|\p{Cf}|[\u1160-\u11ff\ud7b0-\ud7ff])$/u;
const EMOJI = /^\p{Emoji_Presentation}$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const MODIFIER = /^\p{Emoji_Modifier}$/u;
const MODIFIER_BASE = /^\p{Emoji_Modifier_Base}$/u;
const REGIONAL = /^\p{Regional_Indicator}$/u;
const ZWJ = '\u200d';
const VS16 = '\ufe0f';

function isWide(code: number): boolean {
  for (const [from, to] of WIDE) {
    if (code < from) return false;
    if (code <= to) return true;
  }
  return false;
}

/** Columns of one code point on its own. */
function ownWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (code < 0x300) return 1; // ASCII and Latin-1 (the soft hyphen, U+00AD, included)
  if (ZERO.test(char)) return 0;
  return isWide(code) || EMOJI.test(char) ? 2 : 1;
}

/** Each code point of `text` (a surrogate pair is one) with the columns it adds where it stands. */
function* columns(text: string): Generator<[string, number]> {
  let previous = '';
  let previousWidth = 0;
  let flagOpen = false;
  for (const char of text) {
    let width: number;
    if (previous === ZWJ && PICTOGRAPH.test(char)) width = 0;
    else if (char === VS16) width = previousWidth === 1 && PICTOGRAPH.test(previous) ? 1 : 0;
    else if (MODIFIER.test(char) && MODIFIER_BASE.test(previous)) width = 0;
    else if (REGIONAL.test(char)) width = flagOpen ? 0 : 2;
    else width = ownWidth(char);
    flagOpen = REGIONAL.test(char) && !flagOpen;
    yield [char, width];
    if (char !== ZWJ) {
      previous = char;
      previousWidth = width;
    } else previous = ZWJ;
  }
}

/** Columns `text` takes on a terminal (text without colour codes; see `visibleLength`). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const [, w] of columns(text)) width += w;
  return width;
}

/**
 * The longest start of `text` at most `max` columns wide: never half a surrogate pair, and a
 * character's zero-width marks (accents, joined emoji) kept with it.
 */
export function cutToWidth(text: string, max: number): string {
  let width = 0;
  let end = 0;
  for (const [char, w] of columns(text)) {
    if (width + w > max) break;
    width += w;
    end += char.length;
  }
  return text.slice(0, end);
}

/** `text` followed by spaces up to `width` columns (unchanged when as wide or wider). */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
