/**
 * A log reader that is behind: `cat` copying a pipe into a file, stopped (SIGSTOP) so that the
 * pipe fills up. The pipe is non-blocking on this side, as Node.js makes it, so a write to it
 * that does not fit answers EAGAIN.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface StoppedReader {
  /** The descriptor to write to. */
  fd: number;
  /** Lets `cat` read again. */
  resume(): void;
  /** Ends the pipe, waits for `cat`, and returns what it copied. */
  finish(): Promise<string>;
}

/** Starts a stopped `cat` copying into `path`. */
export function stoppedReader(path: string): StoppedReader {
  const out = openSync(path, 'w');
  const cat = spawn('cat', [], { stdio: ['pipe', out, 'ignore'] });
  closeSync(out);
  cat.kill('SIGSTOP');
  const exited = new Promise((resolve) => cat.on('exit', resolve));
  return {
    fd: (cat.stdin as unknown as { _handle: { fd: number } })._handle.fd,
    resume: () => cat.kill('SIGCONT'),
    finish: async () => {
      cat.kill('SIGCONT');
      cat.stdin?.end();
      await exited;
      return readFileSync(path, 'utf8');
    },
  };
}
