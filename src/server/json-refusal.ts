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
  if (token) return `unexpected character ${JSON.stringify(token[1])}`;
  return 'it cannot be read as JSON';
}

/** `line L, column C` (from 1) of the character at `position` of `text`. */
function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}
