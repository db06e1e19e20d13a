/**
 * Waiting on work that may wait on nothing: a promise nothing left to run can settle (a handlers
 * module's top-level `await new Promise(() => {})`) lets the event loop run dry, and Node then ends
 * the process with exit code 13 and not a word from the CLI.
 * @module
 */

/**
 * `work`, or a rejection with `stuck()` if the event loop runs out of work while `work` is still
 * pending (Node's `beforeExit`): nothing could settle it any more.
 */
export async function beforeLoopEmpties<T>(work: Promise<T>, stuck: () => Error): Promise<T> {
  let onEmpty = (): void => undefined;
  const empty = new Promise<never>((_resolve, reject) => {
    onEmpty = () => reject(stuck());
  });
  process.on('beforeExit', onEmpty);
  try {
    return await Promise.race([work, empty]);
  } finally {
    process.off('beforeExit', onEmpty);
  }
}
