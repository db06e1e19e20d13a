/**
 * Output whose reader went away (`orchestrator run ... | head -3`): writing to a closed pipe
 * fails with `EPIPE`, which Node reports as an 'error' event on the stream and, unhandled, as a
 * crash with a stack trace in the middle of the command (a `run` would stop with its execution
 * half-done). The CLI instead stops writing to that stream and carries on: the command finishes
 * its work and its exit code still tells how it went.
 * @module
 */

/** A stream the CLI writes to. */
interface OutputStream {
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Makes `EPIPE` on `stdout` harmless (later writes are dropped by the closed stream); any other
 * write error there is rethrown, as it would have been. On `stderr` every write error is
 * harmless (`ENOSPC` of a log file on a full disk, too): messages that cannot be shown must not
 * change what the command does or how it ends.
 */
export function ignoreClosedPipes(
  stdout: OutputStream = process.stdout,
  stderr: OutputStream = process.stderr,
): void {
  stdout.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
  stderr.on('error', () => undefined);
}
