/**
 * `--http-allow <hosts>` of `run` and `serve`: comma-separated hosts, IP addresses or CIDR blocks
 * the built-in `http` action may reach even if private (the config's `httpAllowlist`).
 * @module
 */
import { allowlistEntryProblem } from '../actions/ssrf-guard.js';
import { UsageError } from './errors.js';

/**
 * The entries of `--http-allow` (none when it was not given), split and trimmed by its option
 * parser (`comma-list.ts`, which refuses an empty one).
 * @throws UsageError naming the first entry that is no host, address or CIDR block.
 */
export function parseHttpAllow(entries: readonly string[] = []): string[] {
  for (const entry of entries) {
    const problem = allowlistEntryProblem(entry);
    if (problem !== null) throw new UsageError(`--http-allow: ${problem}`);
  }
  return [...entries];
}
