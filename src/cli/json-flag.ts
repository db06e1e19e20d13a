/**
 * Whether a command line asks for `--json`, read before commander parses it (for the error of a
 * command line commander refuses, and for a second Ctrl-C during start-up). An argument after
 * `--` is an operand, not an option: `status -- --json` asks about an execution named `--json`.
 * @module
 */

/** True when `--json` is among `argv`'s arguments before any `--`. */
export function jsonFlagIn(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
