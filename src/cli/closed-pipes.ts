/**
 * Output whose reader went away (`orchestrator run ... | head -3`): writing to a closed pipe
 * fails with `EPIPE`, which Node reports as an 'error' event on the stream and, unhandled, as a
 * crash with a stack trace in the middle of the command (a `run` would stop with its execution
 * half-done). The CLI instead stops writing to that stream and carries on: the command finishes
 * its work and its exit code still tells how it went. Output that could not be written for
 * another reason (stdout on a full disk) is lost: the command fails, so a script does not take
 * the missing output for a result.
 * @module
 */

/** A stream the CLI writes to. */
interface OutputStream {
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/** What {@link ignoreClosedPipes} saw of stdout. */
export interface OutputWatch {
  /**
   * The first error that lost stdout's output, other than its reader going away; `lastError` is
   * one the caller saw itself (a write's callback), taken unless it says just that.
   */
  lostOutput(lastError?: NodeJS.ErrnoException | null): NodeJS.ErrnoException | null;
}

/** Codes that say the reader went away (or the stream ended after it did): not a failure. */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * Makes write errors on the CLI's output harmless to the process: `EPIPE` on `stdout` is
 * ignored (later writes are dropped by the closed stream); another error there is kept for
 * {@link OutputWatch.lostOutput}, for the exit code. On `stderr` every write error is ignored
 * (`ENOSPC` of a log file on a full disk, too): messages that cannot be shown must not change
 * what the command does or how it ends.
 */
export function ignoreClosedPipes(
  stdout: OutputStream = process.stdout,
  stderr: OutputStream = process.stderr,
): OutputWatch {
  let lost: NodeJS.ErrnoException | null = null;
  const keep = (error: NodeJS.ErrnoException | null | undefined) => {
    if (lost === null && error && !READER_GONE.has(error.code ?? '')) lost = error;
  };
  stdout.on('error', keep);
  stderr.on('error', () => undefined);
  return {
    lostOutput: (lastError) => {
      keep(lastError);
      return lost;
    },
  };
}
