/**
 * A compensation's `ctx.deadline`: when its attempt ends at the latest, its step's `timeout`
 * after it starts, else the workflow's `timeout` (a compensation runs after the workflow's time
 * may be up, so that bounds each attempt rather than the saga).
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';

async function deadlineSeen(step: { timeout?: number }, workflow: { timeout?: number }) {
  const orch = await createOrchestrator({ store: 'memory' });
  try {
    const e = orch.workflowEngine;
    const seen: { deadline: number | undefined; at: number }[] = [];
    e.registerAction('book', () => 'booked');
    e.registerAction('fail', () => {
      throw new Error('no');
    });
    orch.errorRecovery.registerCompensation('unbook', (_output, ctx) => {
      seen.push({ deadline: ctx.deadline, at: Date.now() });
    });
    await e.defineWorkflow(
      'w',
      [
        { name: 'book', compensation: 'unbook', ...step },
        { name: 'fail', retry: { maxAttempts: 0 } },
      ],
      workflow,
    );
    const status = await e.waitForCompletion(await e.executeWorkflow('w'));
    expect(status.status).toBe('failed');
    expect(status.steps[0]?.compensation?.status).toBe('completed');
    expect(seen).toHaveLength(1);
    return seen[0]!;
  } finally {
    await orch.close();
  }
}

describe("a compensation's ctx.deadline", () => {
  it("is its step's timeout after the attempt starts", async () => {
    const { deadline, at } = await deadlineSeen({ timeout: 7 }, { timeout: 100 });
    expect(deadline).toBeTypeOf('number');
    expect(deadline! - at).toBeGreaterThan(6000);
    expect(deadline! - at).toBeLessThanOrEqual(7000);
  });

  it("is the workflow's timeout after the attempt starts when its step has none", async () => {
    const { deadline, at } = await deadlineSeen({}, { timeout: 40 });
    expect(deadline).toBeTypeOf('number');
    expect(deadline! - at).toBeGreaterThan(39_000);
    expect(deadline! - at).toBeLessThanOrEqual(40_000);
  });
});
