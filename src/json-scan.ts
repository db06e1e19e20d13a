/**
 * A scan of valid JSON text (parse it first) that tracks only where it is: strings, brackets,
 * colons and commas, and the keys and numbers found on the way. What JSON.parse leaves unsaid —
 * a key given twice, an integer it rounds — is found through it, naming the path.
 * @module
 */

/** An object or array being scanned: the last key read (objects) or the current item's index. */
export interface JsonFrame {
  readonly object: boolean;
  at: string | number;
}

/** What a scan reports; a visit that returns true stops the scan. */
export interface JsonVisitor {
  /** An object's key, read as JSON.parse reads it; the innermost frame is its object (`at` not yet the key). */
  key?(stack: readonly JsonFrame[], key: string): boolean | undefined;
  /** A number's text; the innermost frame's `at` is where it is. */
  number?(stack: readonly JsonFrame[], literal: string): boolean | undefined;
}

/** Scans `text` (valid JSON), reporting to `visitor`, until it ends or a visit returns true. */
export function scanJson(text: string, visitor: JsonVisitor): void {
  const stack: JsonFrame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top?.object) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (visitor.key?.(stack, key)) return;
        top.at = key;
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ object: c === 0x7b, at: c === 0x7b ? '' : 0 });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.object) expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    } else if (visitor.number && (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39))) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end] as string)) end++;
      if (visitor.number(stack, text.slice(i, end))) return;
      i = end - 1;
    }
  }
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/** The path of `frames`: `root`, then `.key` or `[index]` for each. */
export function jsonPath(frames: readonly JsonFrame[], root: string): string {
  let path = root;
  for (const { at } of frames) path += typeof at === 'number' ? `[${at}]` : `.${at}`;
  return path;
}
