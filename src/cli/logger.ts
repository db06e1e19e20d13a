/**
 * The logger the CLI gives its orchestrator: warnings and errors as short `warning:` /
 * `error:` lines on stderr instead of JSON. Setting `ORCHESTRATOR_LOG_LEVEL` brings back the
 * default structured (pino) logger at that level.
 * @module
 */
import type { Logger } from '../config.js';
import { printable } from './format.js';

/**
 * The line's text. Its control characters (an escape sequence in a handler's error message that
 * an alert quotes) are shown as escapes, as in every other line the CLI prints.
 */
function describe(obj: object, msg: string | undefined): string {
  const err = (obj as { err?: unknown }).err;
  const detail = err instanceof Error ? `: ${err.message}` : '';
  return printable(`${msg ?? 'orchestrator'}${detail}`);
}

/** A terse stderr logger, or undefined when `ORCHESTRATOR_LOG_LEVEL` asks for the default one. */
export function cliLogger(
  env: NodeJS.ProcessEnv = process.env,
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger | undefined {
  if (env.ORCHESTRATOR_LOG_LEVEL) return undefined;
  return {
    info: () => undefined,
    debug: () => undefined,
    warn: (obj, msg) => write(`warning: ${describe(obj, msg)}\n`),
    error: (obj, msg) => write(`error: ${describe(obj, msg)}\n`),
  };
}
