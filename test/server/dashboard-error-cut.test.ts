/**
 * The executions table cuts a long error message to 90 characters. It cut with slice(0, 90),
 * which splits an emoji (a surrogate pair) standing at the cut: the page then held a lone half,
 * sent as U+FFFD. The cut now keeps the pair whole (textPrefix), leaving it out.
 */
import { describe, expect, it } from 'vitest';
import { executionRows } from '../../src/server/dashboard/pages/executions.js';
import type { ExecutionStatus } from '../../src/types.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function failedWith(message: string): ExecutionStatus {
  return {
    id: 'ex_1',
    workflowId: 'w',
    workflowVersion: 1,
    status: 'failed',
    startedAt: new Date(0),
    completedAt: new Date(1000),
    stepsCompleted: 0,
    totalSteps: 1,
    inputData: {},
    outputData: {},
    steps: [],
    error: { code: 'STEP_FAILED', message },
    compensatedSteps: [],
  };
}

function cellText(message: string): string {
  const page = String(executionRows([failedWith(message)], 1000));
  return /<span class="err-msg"[^>]*>([^<]*)<\/span>/.exec(page)?.[1] ?? '';
}

describe('the executions table error cell', () => {
  it('does not split an emoji at the cut', () => {
    const shown = cellText(`${'a'.repeat(89)}😀 and more after it`);
    expect(shown).not.toMatch(LONE_SURROGATE);
    expect(shown).toBe(`${'a'.repeat(89)}…`);
  });

  it('keeps an emoji that ends at the cut', () => {
    expect(cellText(`${'a'.repeat(88)}😀 and more`)).toBe(`${'a'.repeat(88)}😀…`);
  });

  it('shows a message of 90 characters whole', () => {
    expect(cellText('b'.repeat(90))).toBe('b'.repeat(90));
  });
});
