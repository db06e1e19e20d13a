/**
 * Options that take one value may be given once: commander keeps the last of several
 * (`--input '{"a":1}' --input '{"b":2}'` ran with `{"b":2}`), dropping the others without a word.
 * A repeat is a usage error naming the option instead. Flags without a value (`--json`) may repeat.
 * @module
 */
import type { Command } from 'commander';

/** Makes `command` and every subcommand refuse a value option given more than once (exit 2). */
export function refuseRepeatedOptions(command: Command): void {
  for (const option of command.options) {
    if (!(option.required || option.optional) || option.variadic) continue;
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
