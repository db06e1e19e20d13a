/**
 * Step names may hold `.` and `-`, start with a digit or be a CEL keyword (`fetch.user`,
 * `call-api`, `1st`, `in`), but `steps.<name>` takes a CEL identifier: `steps.fetch.user` reads a
 * step `fetch`, `steps.call-api` subtracts a variable `api`. When an expression that reads a step
 * so fails its check, the error says which step it meant and how to read it: `steps['call-api']`.
 * @module
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Words CEL reserves: `steps.in` does not parse. */
const RESERVED: ReadonlySet<string> = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** Whether `steps.<name>` names the step `name`. */
export function isCelIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/** `steps.` and the name characters after it, where `steps` is not part of a longer name. */
const READ = /(?<![A-Za-z0-9_.])steps\.([A-Za-z0-9_.-]+)/g;

/** Longest step name (see `schema.ts`; not imported, to keep this module free of zod). */
const MAX_NAME = 128;

/**
 * The hint for the first step that `source` reads as `steps.<name>` though `name` is not a CEL
 * identifier (and that starts with `prefix`), with a leading space; '' when there is none. Linear
 * in the length of `source`.
 */
export function bracketHint(source: string, isStep: (name: string) => boolean, prefix = ''): string {
  for (const match of source.matchAll(READ)) {
    const text = (match[1] ?? '').slice(0, MAX_NAME + 1);
    // Each place a name could end: before a '.' or '-' (an identifier character would continue it).
    for (let end = Math.min(text.length, MAX_NAME); end > 0; end--) {
      const next = text[end];
      if (next !== undefined && next !== '.' && next !== '-') continue;
      const name = text.slice(0, end);
      if (name.startsWith(prefix) && !isCelIdentifier(name) && isStep(name)) {
        return ` (step '${name}' is not a CEL identifier, so steps.${name} does not name it: write steps['${name}'])`;
      }
    }
  }
  return '';
}
