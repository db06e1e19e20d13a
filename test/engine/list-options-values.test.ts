/**
 * `listExecutions` (SPEC §4) refuses a `limit` or `offset` that is not a whole number with a
 * ValidationError that shows what it got: a Symbol was a bare TypeError ("Cannot convert a Symbol
 * value to a string") from building the message, and the string '5' read "got 5", as if 5 were
 * refused; an array read "got " and an object "got [object Object]".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/orchestrator.js';

let orch: Orchestrator | undefined;
afterEach(async () => {
  await orch?.close();
  orch = undefined;
});

async function engine() {
  orch = await createOrchestrator({ store: 'memory' });
  return orch.workflowEngine;
}

describe('listExecutions limit and offset of the wrong type', () => {
  it.each([
    ['limit', 'got Symbol(five)', Symbol('five')],
    ['limit', 'got "5"', '5'],
    ['limit', 'got an array', []],
    ['offset', 'got Symbol(one)', Symbol('one')],
    ['offset', 'got "1"', '1'],
    ['offset', 'got an object', {}],
  ])('names %s and says it %s', async (key, shown, value) => {
    const e = await engine();
    const refused = await e.listExecutions({ [key]: value } as never).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ name: 'ValidationError', code: 'VALIDATION' });
    expect((refused as Error).message).toMatch(new RegExp(`^Invalid listExecutions options: ${key}: `));
    expect((refused as Error).message.endsWith(shown)).toBe(true);
  });

  it('still shows a number as it is', async () => {
    const e = await engine();
    await expect(e.listExecutions({ limit: 0 })).rejects.toThrow(/, got 0$/);
    await expect(e.listExecutions({ offset: -1 })).rejects.toThrow(/, got -1$/);
  });
});
