/**
 * The canonical text of a CEL expression, for comparing definitions (see `canonical.ts`): its
 * white space (space, tab, line feed, carriage return: what the expression library skips) is left
 * out where it only separates tokens that stay apart without it, and kept as one space where
 * leaving it out would join two tokens into another (`a in b`, `1 .5`, `< =`, `1e -5`, `r 'x'`).
 * String literals in every CEL form (`'…'`, `"…"`, `'''…'''`, `"""…"""`, with escapes; raw `r'…'`
 * and bytes `b'…'`), quoted field names (`` `a b` ``) and `//` comments are kept as written; the
 * line break that ends a comment is kept as one. A string ends where the library ends it: a
 * backslash takes the next character along in a raw string too (it reads `r'a\'` as unterminated).
 * Only the comparison reads this text: a stored version keeps its own.
 * @module
 */

const WHITE_SPACE = new Set([' ', '\t', '\n', '\r']);

/** A character of an identifier, a keyword or a number. */
const isWord = (c: string): boolean => /^[A-Za-z0-9_]$/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isQuote = (c: string): boolean => c === "'" || c === '"';

/** The two-character operators that white space between their halves would split. */
const PAIRS = new Set(['==', '!=', '<=', '>=', '&&', '||', '//', '?.', '?[']);

/** Whether `before` and `after`, once the white space between them is gone, would read as other tokens. */
function wouldJoin(before: string, after: string): boolean {
  if (isWord(before) && isWord(after)) return true; // `a in b`, `1 u`
  if ((isDigit(before) && after === '.') || (before === '.' && isDigit(after))) return true; // `1 .5`
  if (isQuote(after) && (isWord(before) || isQuote(before))) return true; // `r 'x'`, `'' ''`
  if ((before === 'e' || before === 'E') && (after === '+' || after === '-')) return true; // `1e -5`
  return PAIRS.has(before + after);
}

/** The index just past the string literal whose opening quote is at `open` (its end, if unterminated). */
function stringEnd(source: string, open: number): number {
  const quote = source[open] ?? '';
  const triple = source.startsWith(quote.repeat(3), open);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = open + delimiter.length;
  while (i < source.length) {
    if (source.startsWith(delimiter, i)) return i + delimiter.length;
    // A backslash takes the next character along (in a raw string too, as the library reads it).
    if (source[i] === '\\') i += 2;
    else i++;
  }
  return source.length;
}

/** `source` with the white space that separates nothing left out (see the module comment). */
export function canonicalExpression(source: string): string {
  let out = '';
  let i = 0;
  let afterComment = false;
  while (i < source.length) {
    const c = source[i] ?? '';
    if (WHITE_SPACE.has(c)) {
      let end = i;
      while (end < source.length && WHITE_SPACE.has(source[end] ?? '')) end++;
      const before = out.at(-1) ?? '';
      const after = source[end] ?? '';
      if (afterComment) {
        if (after !== '') out += '\n';
      } else if (before !== '' && after !== '' && wouldJoin(before, after)) out += ' ';
      afterComment = false;
      i = end;
    } else if (isQuote(c)) {
      const end = stringEnd(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (c === '`') {
      // A quoted field name (`` a.`b c` ``): its spaces are part of the name.
      const close = source.indexOf('`', i + 1);
      const end = close === -1 ? source.length : close + 1;
      out += source.slice(i, end);
      i = end;
    } else if (source.startsWith('//', i)) {
      let end = source.indexOf('\n', i);
      if (end === -1) end = source.length;
      // Up to the line break (white space before it, a carriage return too, is left out).
      out += source.slice(i, end).replace(/[\r\t ]+$/, '');
      afterComment = true;
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
