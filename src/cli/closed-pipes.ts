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
 * Makes `EPIPE` on each stream harmless (later writes are dropped by the closed stream). Any
 * other write error is rethrown, as it would have been.
 */
export function ignoreClosedPipes(streams: readonly OutputStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
