/**
 * `--json` promises one JSON document on stdout, yet a handlers module that logs with
 * `console.log` (or `info`, `debug`, `dir`, `table`, …) writes to stdout too, and a program reading
 * the document then fails to parse it. With `--json` the global console writes to stderr instead,
 * where the CLI's own warnings and logs go. A module that writes to `process.stdout` itself is not
 * redirected.
 * @module
 */
import { Console } from 'node:console';

/** The methods of the global console that write to stdout. */
const TO_STDOUT = [
  'log',
  'info',
  'debug',
  'dir',
  'dirxml',
  'table',
  'group',
  'groupCollapsed',
  'groupEnd',
] as const;

/**
 * Makes the global console's stdout methods write to `stderr` (for the rest of the process).
 * Calling it again changes nothing more.
 */
export function consoleToStderr(stderr: NodeJS.WritableStream = process.stderr): void {
  if (redirected) return;
  redirected = true;
  const onStderr = new Console({ stdout: stderr, stderr });
  for (const method of TO_STDOUT) {
    (console as unknown as Record<string, unknown>)[method] = onStderr[method].bind(onStderr);
  }
}

let redirected = false;
