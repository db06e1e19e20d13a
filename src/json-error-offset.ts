/**
 * Where text stops being JSON: the first character JSON cannot continue with, found in one pass.
 * `JSON.parse` does not always say where ("Unexpected token 'x', …" gives no position), and the API
 * and the CLI name the place in a body or file they refuse (`json-syntax-problem.ts`).
 * @module
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const LOWER_U = 0x75;

/** The characters that may follow a backslash in a string, `u` (four hex digits follow) aside. */
const ESCAPED: ReadonlySet<number> = new Set(Array.from('"\\/bfnrt', (c) => c.charCodeAt(0)));
const LITERALS: ReadonlyMap<string, string> = new Map([
  ['t', 'true'],
  ['f', 'false'],
  ['n', 'null'],
]);

/**
 * The offset of the first character of `text` that JSON (RFC 8259, read as `JSON.parse` reads it)
 * cannot continue with; `text.length` when the text ends before its value does; -1 when `text` is
 * JSON. Where `JSON.parse` gives a position, it is this one. Open objects and arrays are kept on a
 * stack of its own: a body nested deeply must not overflow the call stack.
 */
export function jsonErrorOffset(text: string): number {
  const reader = new Reader(text);
  return reader.document() ? -1 : reader.at;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x66);
}

/** Reads `text` from `at`; a method that returns false leaves `at` on the character it refused. */
class Reader {
  at = 0;

  constructor(private readonly text: string) {}

  /** Reads one value and nothing after it but whitespace. */
  document(): boolean {
    // The bracket each object or array opened and not yet closed waits for, innermost last.
    const closers: number[] = [];
    for (;;) {
      // A value; or an object or array, which may close at once.
      this.space();
      const c = this.peek();
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        const closer = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
        this.at++;
        this.space();
        if (this.peek() !== closer) {
          closers.push(closer);
          if (closer === CLOSE_OBJECT && !this.key()) return false;
          continue;
        }
        this.at++;
      } else if (!this.scalar()) return false;
      // After a value: the brackets it closes, then a comma before the next one, or the end.
      for (;;) {
        this.space();
        const closer = closers[closers.length - 1];
        if (closer === undefined) return this.at === this.text.length;
        const d = this.peek();
        if (d === closer) {
          closers.pop();
          this.at++;
          continue;
        }
        if (d !== COMMA) return false;
        this.at++;
        if (closer === CLOSE_OBJECT && !this.key()) return false;
        break;
      }
    }
  }

  /** The code of the character at `at` (NaN at the end). */
  private peek(): number {
    return this.text.charCodeAt(this.at);
  }

  private space(): void {
    for (let c = this.peek(); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = this.peek())
      this.at++;
  }

  /** A property name and the colon after it. */
  private key(): boolean {
    this.space();
    if (this.peek() !== QUOTE || !this.string()) return false;
    this.space();
    if (this.peek() !== COLON) return false;
    this.at++;
    return true;
  }

  /** A string, number, true, false or null. */
  private scalar(): boolean {
    const c = this.peek();
    if (c === QUOTE) return this.string();
    if (c === MINUS || isDigit(c)) return this.number();
    const word = LITERALS.get(this.text.charAt(this.at));
    if (word === undefined) return false;
    for (let k = 0; k < word.length; k++, this.at++) {
      if (this.peek() !== word.charCodeAt(k)) return false;
    }
    return true;
  }

  private string(): boolean {
    this.at++;
    for (;;) {
      const c = this.peek();
      if (c === QUOTE) {
        this.at++;
        return true;
      }
      // A control character, or the end (NaN).
      if (!(c >= 0x20)) return false;
      this.at++;
      if (c !== BACKSLASH) continue;
      if (this.peek() === LOWER_U) {
        this.at++;
        for (let k = 0; k < 4; k++, this.at++) if (!isHexDigit(this.peek())) return false;
      } else if (ESCAPED.has(this.peek())) this.at++;
      else return false;
    }
  }

  private number(): boolean {
    if (this.peek() === MINUS) this.at++;
    // A leading zero is a number of its own: the digit after it ("01") cannot follow a value.
    if (this.peek() === ZERO) this.at++;
    else if (!this.digits()) return false;
    if (this.peek() === DOT) {
      this.at++;
      if (!this.digits()) return false;
    }
    if ((this.peek() | 0x20) === 0x65 /* e or E */) {
      this.at++;
      if (this.peek() === PLUS || this.peek() === MINUS) this.at++;
      if (!this.digits()) return false;
    }
    return true;
  }

  /** One digit or more. */
  private digits(): boolean {
    const start = this.at;
    while (isDigit(this.peek())) this.at++;
    return this.at > start;
  }
}
