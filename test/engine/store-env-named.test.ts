/**
 * A store URL taken from ORCHESTRATOR_STORE that has the right shape but that opening the store
 * refuses (`sqlite:~/x.db`, `sqlite://data/x.db`, an unknown `sslmode`, a misspelt parameter, a
 * port out of range) was reported as the config key `store`, which the caller never set; the
 * error now names the variable, as the shape check before it does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrchestrator, ValidationError } from '../../src/index.js';

async function rejection(): Promise<ValidationError> {
  const error = await createOrchestrator({}).then(
    async (orch) => {
      await orch.close();
      return new Error('accepted');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('ORCHESTRATOR_STORE refused when the store opens', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.ORCHESTRATOR_STORE;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.ORCHESTRATOR_STORE;
    else process.env.ORCHESTRATOR_STORE = saved;
  });

  it.each([
    'sqlite:~/x.db',
    'sqlite://data/x.db',
    'sqlite:./x.db ',
    'postgres://127.0.0.1/test?sslmode=disabled',
    'postgres://127.0.0.1/test?shema=x',
    'postgres://app:s3cretQ@127.0.0.1:99999/test',
  ])('%s names ORCHESTRATOR_STORE', async (url) => {
    process.env.ORCHESTRATOR_STORE = url;
    const error = await rejection();
    expect(error.issues.map((i) => i.path)).toEqual(['ORCHESTRATOR_STORE']);
    expect(error.message.startsWith('Invalid config: ORCHESTRATOR_STORE: ')).toBe(true);
    expect(error.message).not.toContain('s3cretQ');
  });

  it('a config store refused the same way still names `store`', async () => {
    process.env.ORCHESTRATOR_STORE = 'memory';
    const error = await createOrchestrator({ store: 'sqlite:~/x.db' }).then(
      () => new Error('accepted'),
      (e: unknown) => e,
    );
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['store']);
  });
});
