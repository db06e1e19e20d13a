/** The message of the error `fn` throws; fails the test when it does not throw. */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}
