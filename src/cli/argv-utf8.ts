/**
 * Arguments that are not UTF-8. Node reads the command line as UTF-8 and puts U+FFFD in place of
 * each byte it cannot read, so `--input` from a Latin-1 terminal would be stored with U+FFFD and
 * `--store sqlite:caf\xe9.sqlite` would open another file than the one named: such an argument is
 * refused, naming the option it belongs to. (A U+FFFD typed on purpose is refused too: it cannot
 * be told apart.)
 * @module
 */
import type { Command } from 'commander';
import { redactRefusedUrl } from '../redact-url.js';
import { printable, truncate } from './format.js';

const REPLACEMENT = '\ufffd';

/** Columns of the argument an error shows. */
const SHOWN_WIDTH = 64;

/**
 * What is wrong with the first argument (after the program's two) that holds U+FFFD, or null:
 * the value of `--x` (as `--x=value`, or after `--x` when `takesValue('--x')`), else the argument
 * by its position.
 */
export function nonUtf8Argument(
  args: readonly string[],
  takesValue: (flag: string) => boolean,
): string | null {
  const at = args.findIndex((arg) => arg.includes(REPLACEMENT));
  if (at === -1) return null;
  const arg = args[at]!;
  const inline = /^(--?[^=]+)=([\s\S]*)$/.exec(arg);
  const before = args[at - 1];
  const option = inline?.[1] ?? (before !== undefined && takesValue(before) ? before : null);
  const what = option !== null ? `the value of ${printable(option)}` : `argument ${at + 1}`;
  const value = inline?.[2] ?? arg;
  // A store URL's password is not shown (`--store postgres://u:secret@…`).
  return notUtf8(what, option === '--store' ? redactRefusedUrl(value) : value);
}

/**
 * What is wrong with the store URL of `ORCHESTRATOR_STORE` when it holds U+FFFD (Node reads the
 * environment as it reads arguments), or null. Its password is not shown.
 */
export function nonUtf8StoreVariable(value: string): string | null {
  return value.includes(REPLACEMENT) ? notUtf8('ORCHESTRATOR_STORE', redactRefusedUrl(value)) : null;
}

/** The refusal of `value`, named `what`, that is not valid UTF-8. */
function notUtf8(what: string, value: string): string {
  const shown = printable(truncate(value, SHOWN_WIDTH));
  return `${what} is not valid UTF-8 (what it could not read shows as \\ufffd: ${shown.replaceAll(REPLACEMENT, '\\ufffd')}); pass it in UTF-8`;
}

/** The flags of `program` and its commands that take a value (`--input`, `--store`, ...). */
export function valueFlags(program: Command): (flag: string) => boolean {
  const flags = new Set<string>();
  const add = (command: Command): void => {
    for (const option of command.options) {
      if (!(option.required || option.optional)) continue;
      if (option.long) flags.add(option.long);
      if (option.short) flags.add(option.short);
    }
    for (const sub of command.commands) add(sub);
  };
  add(program);
  return (flag) => flags.has(flag);
}
