/**
 * Options that take one value may be given once: commander keeps the last of several
 * (`--input '{"a":1}' --input '{"b":2}'` ran with `{"b":2}`), dropping the others without a word.
 * A repeat is a usage error naming the option instead. Flags without a value (`--json`) may repeat,
 * and so may the options marked {@link repeatable}, which collect their values.
 * @module
 */
import type { Command, Option } from 'commander';

/** Options that collect every value given (`serve --allowed-origin a --allowed-origin b`). */
const REPEATABLE = new WeakSet<Option>();

/** Marks `option` as one that may be given more than once (its parser collects the values). */
export function repeatable(option: Option): Option {
  REPEATABLE.add(option);
  return option;
}

/** Makes `command` and every subcommand refuse a value option given more than once (exit 2). */
export function refuseRepeatedOptions(command: Command): void {
  for (const option of command.options) {
    if (!(option.required || option.optional) || option.variadic || REPEATABLE.has(option)) continue;
    let given = false;
    command.on(`option:${option.name()}`, () => {
      if (given) {
        command.error(`error: option '${option.flags}' given more than once; give it once`, {
          code: 'orchestrator.repeatedOption',
          exitCode: 2,
        });
      }
      given = true;
    });
  }
  for (const sub of command.commands) refuseRepeatedOptions(sub);
}
