/** Shared by the secret tests: what a refusal shows, as text. */
import { expect } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from '../actions/action-context.js';

const localAction = createHttpAction({ allowlist: ['127.0.0.1'] });

/** The message of the error the http action fails with on `url` (a local server), checked not to hold `secret` anywhere. */
export async function httpFailureMessage(url: string, secret: string): Promise<string> {
  const error = await failure(localAction({ url }, ctx()) as Promise<unknown>);
  expect(JSON.stringify(error)).not.toContain(secret);
  return error.message;
}

/**
 * The message and the JSON form of the error `run` throws or rejects with (where a secret could
 * show); fails the test when `run` is accepted.
 */
export async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    return `${(error as Error).message} ${JSON.stringify(error)}`;
  }
  throw new Error('accepted');
}
