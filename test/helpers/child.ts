/**
 * Runs a TypeScript test program in a child process (under tsx), collecting its stdout and stderr
 * together, for the tests that kill processes for real.
 * @module
 */
import { spawn } from 'node:child_process';

/** How a child ended, and everything it printed. */
export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/** Runs `script` with `args` to its end (exit or signal); rejects only if it cannot start. */
export function runTsChild(script: string, args: readonly string[]): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}
