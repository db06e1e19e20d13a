/**
 * Comma-separated option values (`serve --remote-actions a,b`): each entry is trimmed, so
 * `a, b` is `a` and `b`; an empty entry (`a,,b`, `a,`, `''`, `' '`) is refused naming its
 * position rather than dropped, since it is a typo or an unset variable, not a wish for nothing.
 * @module
 */
import { InvalidArgumentError } from 'commander';

/**
 * A commander parser for a comma-separated list of `what` (`action names`): the trimmed entries.
 * @throws InvalidArgumentError naming the first empty entry (1-based) and how many there are.
 */
export function commaList(what: string): (value: string) => string[] {
  return (value: string) => {
    const entries = value.split(',').map((entry) => entry.trim());
    if (entries.length === 1 && entries[0] === '') {
      throw new InvalidArgumentError(
        `Expected comma-separated ${what}, got an empty value (an unset variable?).`,
      );
    }
    const empty = entries.indexOf('');
    if (empty !== -1) {
      throw new InvalidArgumentError(
        `Entry ${empty + 1} of ${entries.length} is empty (a stray comma?); expected comma-separated ${what}.`,
      );
    }
    return entries;
  };
}
