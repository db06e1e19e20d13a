/**
 * A failure that says when to try again (`retryAfter`, seconds) is retried no sooner, the
 * backoff still the shortest wait: a step's retry and a compensation's.
 */
import { expect, it } from 'vitest';
import { collectEvents, withOrchestrator } from '../helpers/orchestrator.js';

const slowDown = (seconds: number) => Object.assign(new Error('rate limited'), { retryAfter: seconds });

it("waits as long as the step's error asks before its retry", async () => {
  let calls = 0;
  const times: number[] = [];
  const orch = await withOrchestrator({
    actions: {
      limited: () => {
        times.push(performance.now());
        calls++;
        if (calls === 1) throw slowDown(0.3);
        if (calls === 2) throw new Error('plain');
        return 'ok';
      },
    },
  });
  const events = collectEvents(orch, ['step.failed']);
  await orch.workflowEngine.defineWorkflow('w', [
    { name: 'limited', retry: { maxAttempts: 3, initialDelay: 0.01, backoffCoefficient: 1 } },
  ]);
  const id = await orch.workflowEngine.executeWorkflow('w');
  expect((await orch.workflowEngine.waitForCompletion(id, { timeout: 10 })).status).toBe('completed');
  // The first failure asked for 300 ms; the second, a plain one, waits the backoff's 10 ms.
  expect(events.of('step.failed').map((e) => e.delayMs)).toEqual([300, 10]);
  expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(295);
});

it("waits as long as a compensation's error asks before its retry", async () => {
  let undos = 0;
  const orch = await withOrchestrator({
    actions: { book: () => 'booked', fail: () => Promise.reject(new Error('later step fails')) },
    compensations: {
      unbook: () => {
        undos++;
        if (undos === 1) throw slowDown(1.5);
      },
    },
  });
  const events = collectEvents(orch, ['compensation.failed']);
  await orch.workflowEngine.defineWorkflow('saga', [
    { name: 'book', compensation: 'unbook' },
    { name: 'fail' },
  ]);
  const id = await orch.workflowEngine.executeWorkflow('saga');
  const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
  expect(status.status).toBe('failed');
  expect(status.compensatedSteps).toEqual(['book']);
  const delays = events.of('compensation.failed').map((e) => (e as { delayMs?: number }).delayMs);
  // Longer than the first backoff of a compensation (1 s).
  expect(delays[0]).toBe(1500);
});
