/**
 * The first character of a name outside `[A-Za-z0-9_.-]`, for the message refusing it: `é` is a
 * letter, just not an ASCII one, and an invisible character (a zero-width or no-break space pasted
 * with the name) cannot be seen in the echoed name at all.
 * @module
 */

/** A character that shows as itself between quotes (a letter, digit, punctuation or symbol). */
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u;

const ALLOWED = /^[A-Za-z0-9_.-]$/;

/**
 * `('é', U+00E9, at index 1)`, or `(U+200B at index 10)` for one that does not show; empty when
 * every character is allowed. The index counts UTF-16 code units, as `String.prototype.indexOf`.
 */
export function refusedCharacter(name: string): string {
  let index = 0;
  for (const char of name) {
    if (!ALLOWED.test(char)) {
      const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      return VISIBLE.test(char) ? ` ('${char}', ${code}, at index ${index})` : ` (${code} at index ${index})`;
    }
    index += char.length;
  }
  return '';
}
