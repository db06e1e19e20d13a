/**
 * The time axis of the execution timeline: five labels at 0, ¼, ½, ¾ and the whole span. An
 * execution of a few milliseconds (a noop workflow, fast handlers) has ticks a fraction of a
 * millisecond apart, which whole milliseconds labelled '0 ms, 0 ms, 1 ms, 1 ms, 1 ms'.
 */
import { describe, expect, it } from 'vitest';
import { buildTimeline, renderTimeline } from '../../src/server/dashboard/timeline.js';
import type { ExecutionStatus } from '../../src/types.js';

const T0 = 1_800_000_000_000;

/** A completed one-step execution that took `ms` milliseconds. */
function tookMs(ms: number): ExecutionStatus {
  const start = new Date(T0);
  const end = new Date(T0 + ms);
  return {
    id: 'exec_1',
    workflowId: 'quick',
    workflowVersion: 1,
    status: 'completed',
    startedAt: start,
    completedAt: end,
    stepsCompleted: 1,
    totalSteps: 1,
    inputData: {},
    outputData: {},
    compensatedSteps: [],
    steps: [
      {
        name: 'only',
        status: 'completed',
        attempts: 1,
        startedAt: start,
        completedAt: end,
        durationMs: ms,
        history: [{ attempt: 1, startedAt: start, completedAt: end, durationMs: ms }],
      },
    ],
  };
}

/** The axis labels of the rendered timeline, in order. */
function axisLabels(ms: number): string[] {
  const out = renderTimeline(buildTimeline(tookMs(ms), T0 + ms)).value;
  const axis = /<div class="tl-row tl-axis">(.*?)<\/div>/s.exec(out)?.[1] ?? '';
  return [...axis.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
}

describe('timeline axis', () => {
  it('labels the ticks of an execution of a few milliseconds with the fractions they are at', () => {
    expect(axisLabels(0)).toEqual(['0 ms', '0.25 ms', '0.5 ms', '0.75 ms', '1 ms']);
    expect(axisLabels(1)).toEqual(['0 ms', '0.25 ms', '0.5 ms', '0.75 ms', '1 ms']);
    expect(axisLabels(2)).toEqual(['0 ms', '0.5 ms', '1 ms', '1.5 ms', '2 ms']);
    expect(axisLabels(3)).toEqual(['0 ms', '0.75 ms', '1.5 ms', '2.25 ms', '3 ms']);
  });

  it('gives every tick a label of its own, and keeps whole units where they tell the ticks apart', () => {
    for (const ms of [1, 2, 3, 4, 5, 7, 10, 99, 999, 1000, 1001, 4321, 60_000, 3_600_000]) {
      const labels = axisLabels(ms);
      expect(new Set(labels).size, `${ms} ms: ${labels.join(', ')}`).toBe(5);
    }
    expect(axisLabels(4)).toEqual(['0 ms', '1 ms', '2 ms', '3 ms', '4 ms']);
    expect(axisLabels(1000)).toEqual(['0 ms', '250 ms', '500 ms', '750 ms', '1.00 s']);
  });
});
