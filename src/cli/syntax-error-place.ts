/**
 * Where a module that failed to load with a `SyntaxError` has it. Node 20 keeps the file and line
 * of an ES module's syntax error out of the error `import()` rejects with (it shows them only when
 * the error ends the process), so a `--handlers` module with a typo said `Unexpected token ';'` and
 * nothing more. A CommonJS module's error carries them at the head of its stack; for ES modules,
 * `node --check` — which parses a file and runs nothing — is asked about the module and the
 * modules it imports by relative path, until one of them reports the error.
 * @module
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** At most this many files are checked, each for at most `CHECK_TIMEOUT_MS`. */
const MAX_FILES = 64;
const CHECK_TIMEOUT_MS = 5000;

/** Node's "arrow": `<file>:<line>`, the source line, and a caret under the column. */
const ARROW = /^(.+):(\d+)\r?\n(.*)\r?\n([^^\n]*)\^/;

/** `file:line:column` from Node's arrow at the start of `text`, or `undefined`. */
function fromArrow(text: string, cwd: string): string | undefined {
  const match = ARROW.exec(text);
  if (!match) return undefined;
  const [, file = '', line = '', , before = ''] = match;
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  const shown = isAbsolute(path) && !relative(cwd, path).startsWith('..') ? relative(cwd, path) : path;
  return `${shown}:${line}:${[...before].length + 1}`;
}

/** What `node --check` prints on stderr for `file` (empty when it parses). */
function check(file: string): Promise<string> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // a preloaded module would run in the check
  return new Promise((done) => {
    execFile(process.execPath, ['--check', file], { env, timeout: CHECK_TIMEOUT_MS }, (error, _out, stderr) =>
      done(error ? String(stderr) : ''),
    );
  });
}

/** The files `file` imports (or requires) by a relative or absolute path that exist. */
function importedFiles(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const found: string[] = [];
  const pattern = /\b(?:from|import)\s*\(?\s*['"]([^'"\n]+)['"]|\brequire\s*\(\s*['"]([^'"\n]+)['"]/g;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[1] ?? match[2] ?? '';
    if (!/^(?:\.{1,2}\/|\/|file:)/.test(specifier)) continue;
    try {
      const path = fileURLToPath(new URL(specifier, pathToFileURL(file)));
      if (statSync(path).isFile()) found.push(path);
    } catch {
      // not a file: Node reported that, not a syntax error
    }
  }
  return found;
}

/**
 * `file:line:column` of the syntax error `error` that loading `entry` (an absolute path) failed
 * with, the file relative to `cwd` when inside it; `undefined` for another error or when it cannot
 * be found.
 */
export async function syntaxErrorPlace(
  error: unknown,
  entry: string,
  cwd: string,
): Promise<string | undefined> {
  if (!(error instanceof SyntaxError)) return undefined;
  const inStack = fromArrow(error.stack ?? '', cwd);
  if (inStack !== undefined) return inStack;
  if (!/\.(?:m?js|cjs)$/i.test(entry)) return undefined;
  const queue = [entry];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length && i < MAX_FILES; i++) {
    const file = queue[i] as string;
    const place = fromArrow(await check(file), cwd);
    if (place !== undefined) return place;
    for (const next of importedFiles(file)) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return undefined;
}
