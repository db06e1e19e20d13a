// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * The execution page's timeline lists compensations in the order the engine ran them. Fast
 * handlers start them all in one millisecond, so their start times tie: the order is then the
 * engine's — reverse order of completion — not one guessed from the definition: a parallel step's
 * own compensation before its branches', the branch that completed last first, and a loop's
 * visits newest first across its steps (`compensatedSteps` is that order).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { buildTimeline } from '../../src/server/dashboard/timeline.js';
import { gate, withOrchestrator } from '../helpers/orchestrator.js';

/** Runs `steps` on a clock that never moves (every compensation starts in the same millisecond). */
async function frozenRun(steps: unknown[], actions: Record<string, (input: unknown) => unknown>) {
  const orch = await withOrchestrator({
    clock: new FakeClock(),
    actions: {
      ...actions,
      boom: () => {
        throw new Error('boom');
      },
    },
    compensations: { undo: () => undefined },
  });
  await orch.workflowEngine.defineWorkflow('w', steps as never);
  const status = await orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('w'));
  const rows = buildTimeline(status, Date.now()).rows.filter((r) => r.kind === 'compensation');
  return { status, names: rows.map((r) => r.name) };
}

describe('timeline compensations started in one millisecond', () => {
  it("show a parallel step's own compensation first, then its branches newest completion first", async () => {
    const yDone = gate();
    const { status, names } = await frozenRun(
      [
        {
          name: 'p',
          compensation: 'undo',
          parallel: [
            { name: 'x', compensation: 'undo' },
            { name: 'y', compensation: 'undo' },
          ],
        },
        { name: 'boom' },
      ],
      {
        x: async () => {
          await yDone.promise;
          return 'x';
        },
        y: () => {
          yDone.open();
          return 'y';
        },
      },
    );
    expect(status.compensatedSteps).toEqual(['p', 'x', 'y']);
    expect(names).toEqual(['p', 'x', 'y']);
  });

  it("show a loop's visits newest first across its steps", async () => {
    let runs = 0;
    const { status, names } = await frozenRun(
      [
        { name: 'a', compensation: 'undo' },
        { name: 'b', compensation: 'undo' },
        { name: 'again', condition: 'result < 2', then: 'a' },
        { name: 'boom' },
      ],
      { a: () => 'a', b: () => ++runs },
    );
    expect(status.compensatedSteps).toEqual(['b', 'a', 'b', 'a']);
    expect(names).toEqual(['b', 'a', 'b (visit 1)', 'a (visit 1)']);
  });
});
