/**
 * A compensation registration is checked once, by the check actions use too, so a bad name or
 * handler reads the same given to `ErrorRecovery.registerCompensation` or in the `compensations`
 * config (it was checked twice, with two wordings: "Invalid compensation" with `` `name` `` and
 * `` `handler` ``, and "Invalid compensation registration" with "The compensation name"); each
 * message names the compensation and what is wrong with it, its path where it is.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { createOrchestrator } from '../../../src/orchestrator.js';
import { ErrorRecovery } from '../../../src/recovery/error-recovery.js';
import type { CompensationHandler } from '../../../src/types.js';

/** The error `registerCompensation(name, handler)` throws. */
function registrationError(name: unknown, handler: unknown): ValidationError {
  try {
    new ErrorRecovery().registerCompensation(name as string, handler as CompensationHandler);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  return expect.unreachable();
}

/** The error `createOrchestrator` throws for `options`. */
async function configError(options: Record<string, unknown>): Promise<ValidationError> {
  const error = await createOrchestrator({ store: 'memory', ...options }).then(
    () => expect.unreachable(),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

const UNUSABLE = `may contain only ASCII letters, digits, '_', '.' and '-', got "undo order" (U+0020 at index 4)`;

describe('a compensation registration', () => {
  it('names what is wrong with the name and the handler, and where', () => {
    expect(registrationError('undo', 5).message).toBe(
      `Invalid compensation registration: handler: Expected the handler of compensation 'undo' to be a function, got 5`,
    );
    expect(registrationError('undo order', () => {}).message).toBe(
      `Invalid compensation registration: name: The compensation name ${UNUSABLE}, so no step's \`compensation\` could name it`,
    );
    expect(registrationError(42, 'nope').message).toBe(
      'Invalid compensation registration: name: Expected the compensation name to be a string, got 42; ' +
        'handler: Expected the compensation handler to be a function, got "nope"',
    );
  });

  it('reads the same in the compensations config, at the config key', async () => {
    for (const [name, handler] of [
      ['undo', 5],
      ['undo order', () => {}],
      ['', null],
    ] as const) {
      const direct = registrationError(name, handler);
      const config = await configError({ compensations: { [name]: handler } });
      expect(config.issues).toEqual(
        direct.issues.map((i) => ({ path: `compensations.${name}`, message: i.message })),
      );
    }
  });

  it('reads the same way for an action', async () => {
    expect((await configError({ actions: { charge: 'run' } })).message).toBe(
      `Invalid config: actions.charge: Expected the handler of action 'charge' to be a function, got "run"`,
    );
    expect((await configError({ actions: { 'a b': () => {} } })).message).toBe(
      `Invalid config: actions.a b: The action name may contain only ASCII letters, digits, '_', '.' and '-', got "a b" (U+0020 at index 1), so no step's \`action\` could name it`,
    );
  });
});
