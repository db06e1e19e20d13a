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

/** What {@link runScript} returns: the exit code and the two streams apart. */
export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript program (under tsx) to its end in `cwd` with `env` added to this process's,
 * keeping stdout and stderr apart (for commands whose stdout is data, such as the bench's).
 */
export function runScript(
  script: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
