/** Shared by the secret tests: what a refusal shows, as text. */

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
