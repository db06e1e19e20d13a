// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * Error messages repeat what the caller gave them (an id, a key, a name) at most 64 characters of
 * it, with its length: a 10 KB workflow id made a 10 KB message, and a value named twice in one
 * message (a `then` both too long and unknown) twice that. The whole value stays in the error's
 * structured fields (`workflowId`, `executionId`).
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../src/balancing/load-balancer.js';
import { echo } from '../../src/echo.js';
import {
  createOrchestrator,
  ExecutionNotFoundError,
  NoWorkersError,
  ValidationError,
  WorkflowNotFoundError,
} from '../../src/index.js';
import { duplicateKeyProblem } from '../../src/json-duplicate-keys.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

const LONG = 'x'.repeat(10_000);
/** Longest message here: its own words (a list of the known values, say) and 64 characters of the value. */
const BOUND = 600;

async function refusal(call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('not refused');
}

function expectBounded(error: Error, names: RegExp): void {
  expect(error.message.length).toBeLessThan(BOUND);
  expect(error.message).toMatch(names);
  expect(error.message).toContain(`${'x'.repeat(64)}…`);
  expect(error.message).not.toContain('x'.repeat(65));
  expect(error.message).toContain('(10000 characters)');
}

describe('a 10 KB identifier in an error message', () => {
  it('is cut to 64 characters and its length, and kept whole in the structured fields', async () => {
    const orch = await withOrchestrator({ actions: { a: () => 1 } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a' }]);

    const notDefined = await refusal(() => engine.executeWorkflow(LONG));
    expect(notDefined).toBeInstanceOf(WorkflowNotFoundError);
    expectBounded(notDefined, /^Workflow 'x+…' \(10000 characters\) is not defined$/);
    expect((notDefined as WorkflowNotFoundError).workflowId).toBe(LONG);

    const noExecution = await refusal(() => engine.waitForCompletion(LONG, { timeout: 1 }));
    expect(noExecution).toBeInstanceOf(ExecutionNotFoundError);
    expectBounded(noExecution, /^Execution 'x+…' \(10000 characters\) does not exist$/);
    expect((noExecution as ExecutionNotFoundError).executionId).toBe(LONG);

    const badId = await refusal(() => engine.defineWorkflow(LONG, [{ name: 'a' }]));
    expect(badId).toBeInstanceOf(ValidationError);
    expectBounded(badId, /id: must be at most 128 characters/);

    const badThen = await refusal(() =>
      engine.defineWorkflow('w2', [{ name: 'a', condition: 'true', then: LONG }]),
    );
    expectBounded(badThen, /steps\[0\]\.then: must be at most 128 characters/);

    const badStatus = await refusal(() => engine.listExecutions({ status: LONG as never }));
    expectBounded(badStatus, /status: expected one of/);

    const badEvent = await refusal(() => orch.on(LONG as never, () => undefined));
    expectBounded(badEvent, /event: Unknown event/);
  });

  it('in an unknown key of the config names the key, cut', async () => {
    const badKey = await refusal(() => createOrchestrator({ store: 'memory', [LONG]: 1 } as never));
    expect(badKey).toBeInstanceOf(ValidationError);
    expect(badKey.message.length).toBeLessThan(BOUND);
    expect(badKey.message).toMatch(/unknown key 'x{64}…' \(10000 characters\)/);
    expect(badKey.message).not.toContain('x'.repeat(65));
    expect((badKey as ValidationError).issues[0]?.path).toBe(LONG);
  });
});

describe('a 10 KB worker id', () => {
  it('is cut in the refusal to remove the last busy worker', () => {
    const lb = new LoadBalancer({ workers: [LONG] });
    lb.assignWorkflow('e1');
    const refused = (() => {
      try {
        lb.removeWorker(LONG);
      } catch (error) {
        return error as Error;
      }
      throw new Error('not refused');
    })();
    expect(refused).toBeInstanceOf(NoWorkersError);
    expectBounded(refused, /^Cannot remove worker 'x+…' \(10000 characters\): it has 1 active execution /);
  });
});

describe('echo', () => {
  it('repeats a value of up to 64 characters whole, and never cuts a surrogate pair in two', () => {
    const exact = 'a'.repeat(64);
    expect(echo(exact)).toBe(`'${exact}'`);
    expect(echo('a"b', JSON.stringify)).toBe('"a\\"b"');
    expect(echo(`${'a'.repeat(63)}😀tail`)).toBe(`'${'a'.repeat(63)}…' (69 characters)`);
    expect(echo('p'.repeat(100), null)).toBe(`${'p'.repeat(64)}… (100 characters)`);
  });

  it('cuts a long key given twice in JSON text', () => {
    const problem = duplicateKeyProblem(`{"steps":[{"${LONG}":1,"${LONG}":2}]}`);
    expect(problem?.length).toBeLessThan(BOUND);
    expect(problem).toMatch(/^steps\[0\] has the key 'x{64}…' \(10000 characters\) twice/);
  });
});
