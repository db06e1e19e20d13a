/**
 * Small argument helpers shared by the bench commands.
 * @module
 */
import { appendFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { redactRefusedUrl } from '../../src/redact-url.js';

/** A command line the bench commands refuse: the message names the option and what is wrong. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs `read` (the command's option parsing and checks) and returns what it returns. A
 * {@link UsageError}, or an option `node:util`'s `parseArgs` refuses (unknown, or missing its value),
 * ends the process with exit code 2 and one line naming the problem, instead of a stack trace.
 */
export function readCommandLine<T>(command: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const refused =
      error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'));
    if (!refused) throw error;
    process.stderr.write(`${command}: ${(error as Error).message}\n(${command} --help lists the options)\n`);
    process.exit(2);
  }
}

/**
 * `parseArgs` of `config` (the process's arguments), refusing an option given more than once:
 * `parseArgs` keeps the last, so `--n 10 --n 2000` ran 2000 without a word.
 * @throws UsageError naming the option given twice.
 */
export function parseOptions<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T & { tokens: true }>> {
  const parsed = parseArgs<T & { tokens: true }>({ ...config, tokens: true });
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  return parsed;
}

/** The largest `--payload`: one copy rides in the input and in every step output of each execution. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** Parses a payload size: `small`/`0`, `512`, `10kb`, `1mb` → bytes, at most {@link MAX_PAYLOAD_BYTES}. */
export function parsePayload(text: string | undefined): number {
  if (text === undefined || text === '' || text === 'small') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--payload: expected bytes, e.g. 10240 or 10kb, got ${JSON.stringify(text)}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1;
  const bytes = Math.round(Number(m[1]) * mult);
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new UsageError(`--payload: at most 16mb (${MAX_PAYLOAD_BYTES} bytes), got ${JSON.stringify(text)}`);
  }
  return bytes;
}

/**
 * `--out <file>` checked before any row runs (created if missing, nothing written): a file that
 * cannot be written was found only once the first row had run, with a stack trace.
 * @throws UsageError naming the file and why.
 */
export function outFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (path === '') throw new UsageError('--out: expected a file name, got ""');
  try {
    appendFileSync(path, '');
  } catch (error) {
    throw new UsageError(`--out: cannot write ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
  return path;
}

/**
 * `--pg-url`: a `postgres://` (or `postgresql://`) URL with a host and a database, checked before
 * any row starts; each row's process failed on it instead. The message masks a password.
 * @throws UsageError naming what is wrong.
 */
export function pgUrlOption(text: string): string {
  const shown = JSON.stringify(redactRefusedUrl(text));
  const expected = `--pg-url: expected postgres://user@host:port/database[?schema=name], got ${shown}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(expected);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new UsageError(expected);
  if (url.hostname === '') throw new UsageError(`${expected} (no host)`);
  if (url.pathname.length <= 1) throw new UsageError(`${expected} (no database)`);
  return text;
}

/**
 * An integer option: `dflt` when absent, a {@link UsageError} naming the flag when not an integer
 * from `min` to `max`.
 */
export function intOption(
  name: string,
  text: string | undefined,
  dflt: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (text === undefined) return dflt;
  const v = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name}: expected an integer ${range}, got ${JSON.stringify(text)}`);
  }
  return v;
}

/** `--quiet <pct>` as a fraction of the CPU (`dflt` percent when absent), or null for `off`. */
export function quietOption(text: string | undefined, dflt: number | null): number | null {
  if (text === 'off') return null;
  if (text === undefined) return dflt === null ? null : dflt / 100;
  return intOption('quiet', text, 25, 1, 100) / 100;
}

/** `parseArgs` options of the harness workload, as every engine-row command takes them. */
export const WORKLOAD_OPTIONS = {
  n: { type: 'string' },
  c: { type: 'string' },
  lowload: { type: 'string' },
  warmup: { type: 'string' },
} as const;

/** `parseArgs` options every bench command takes: `--json`, `--quiet`, `--verbose`, `--help`. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  quiet: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `parseArgs` options of the PostgreSQL rows (passed on to `engine-peer.ts`). */
export const PG_OPTIONS = {
  'pg-url': { type: 'string' },
  'pg-pool': { type: 'string' },
  'pg-lanes': { type: 'string' },
} as const;

/** The harness workload from parsed options (N=2000, C=100, low-load 200, warm-up 100). */
export function workloadFrom(values: {
  n?: string;
  c?: string;
  lowload?: string;
  warmup?: string;
  steps?: string;
  payload?: string;
}): { n: number; c: number; lowload: number; warmup: number; steps: number; payload: number } {
  return {
    n: intOption('n', values.n, 2000),
    c: intOption('c', values.c, 100),
    lowload: intOption('lowload', values.lowload, 200, 0),
    warmup: intOption('warmup', values.warmup, 100, 0),
    steps: intOption('steps', values.steps, 3),
    payload: parsePayload(values.payload),
  };
}
