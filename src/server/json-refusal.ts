/**
 * Why the API refuses a request body its JSON parser rejected: what is wrong and where (line and
 * column), or the prototype-poisoning key it holds. The framework's parser raises one error for
 * both and keeps no cause, so the body is parsed again here, only once it was refused. Nothing of
 * the body is repeated but a single unexpected character (the engine's own message quotes the
 * text around it).
 * @module
 */

/** The refusal of a request body (`text`, decoded) that the framework's JSON parser refused. */
export function jsonBodyRefusal(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return `Request body is not valid JSON: ${syntaxProblem(text, error instanceof Error ? error.message : '')}`;
  }
  return 'Request body has a "__proto__" key, or a "constructor" key holding a "prototype" one (refused: they could alter objects it is copied into)';
}

/** `JSON.parse`'s message reworded: where in `text`, without the excerpt the engine may quote. */
function syntaxProblem(text: string, message: string): string {
  const at = /^(.+?) in JSON at position (\d+)/.exec(message);
  if (at) {
    const position = Number(at[2]);
    const problem = `${at[1]!.charAt(0).toLowerCase()}${at[1]!.slice(1)}`;
    const end = position >= text.length ? ' (where the body ends)' : '';
    return `${problem} at ${lineAndColumn(text, position)}${end}`;
  }
  if (/^Unexpected end of JSON input/.test(message)) return 'it ends before its value is complete';
  const token = /^Unexpected token '(.)'/u.exec(message);
  // Quoted as JSON: a quote, a control character or half of a surrogate pair shows escaped.
  if (token)
    return `unexpected character ${JSON.stringify(token[1])} at ${lineAndColumn(text, readableLength(text))}`;
  return 'it cannot be read as JSON';
}

/**
 * The length of the longest start of `text` that JSON.parse reads without meeting a character it
 * cannot take, which is the index of that character: its message for one ("Unexpected token")
 * gives no position. A start is readable when it parses, or fails only for ending where it ends;
 * once one is not, no longer one is, so a binary search finds it in about log2(length) parses.
 */
function readableLength(text: string): number {
  let readable = 0;
  let unreadable = text.length;
  while (unreadable - readable > 1) {
    const middle = Math.floor((readable + unreadable) / 2);
    if (isReadableStart(text.slice(0, middle))) readable = middle;
    else unreadable = middle;
  }
  return readable;
}

function isReadableStart(start: string): boolean {
  try {
    JSON.parse(start);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/^Unexpected end of JSON input/.test(message)) return true;
    const at = / in JSON at position (\d+)/.exec(message);
    return at !== null && Number(at[1]) >= start.length;
  }
}

/** `line L, column C` (from 1) of the character at `position` of `text`. */
function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}
