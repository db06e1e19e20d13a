import { describe, expect, it } from 'vitest';
import { outcomeText, renderStatus, verdict } from '../../../src/cli/render-status.js';
import { createStyle } from '../../../src/cli/style.js';
import type { ExecutionStatus } from '../../../src/types.js';

const plain = createStyle(false);
const at = (ms: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, 0) + ms);

function failedSaga(): ExecutionStatus {
  return {
    id: 'exec_1',
    workflowId: 'orders',
    workflowVersion: 2,
    status: 'failed',
    startedAt: at(0),
    completedAt: at(1520),
    stepsCompleted: 3,
    totalSteps: 5,
    inputData: {},
    outputData: { reserve: { id: 'r1' }, fan: { a: 1, b: 2 } },
    steps: [
      {
        name: 'reserve',
        status: 'completed',
        attempts: 2,
        durationMs: 1200,
        output: { id: 'r1' },
        compensation: { status: 'completed', attempts: 1 },
      },
      { name: 'gate', status: 'completed', attempts: 1, durationMs: 0, decision: 'then' },
      {
        name: 'fan',
        status: 'completed',
        attempts: 1,
        durationMs: 40,
        branches: [
          { name: 'a', status: 'completed', attempts: 1, durationMs: 30 },
          {
            name: 'b',
            status: 'completed',
            attempts: 1,
            durationMs: 40,
            compensation: { status: 'failed', attempts: 4, error: { code: 'E_UNDO', message: 'nope' } },
          },
        ],
      },
      {
        name: 'charge',
        status: 'failed',
        attempts: 1,
        durationMs: 5,
        error: { code: 'DECLINED', message: 'card declined', step: 'charge' },
      },
      { name: 'ship', status: 'skipped', attempts: 0 },
    ],
    error: { code: 'DECLINED', message: 'card declined', step: 'charge' },
    compensatedSteps: ['reserve'],
    workerId: 'worker_1',
  };
}

describe('renderStatus', () => {
  it('renders the header, the steps table with branches and notes, outputs, error and compensations', () => {
    const text = renderStatus(failedSaga(), plain).join('\n');
    expect(text).toContain('Execution exec_1  failed');
    expect(text).toMatch(/workflow\s+orders \(v2\)/);
    expect(text).toMatch(/worker\s+worker_1/);
    expect(text).toMatch(/duration\s+1\.52 s/);
    expect(text).toMatch(/steps\s+3\/5 completed/);
    expect(text).toMatch(/reserve\s+completed\s+2\s+1\.20 s\s+1 retry; compensated/);
    expect(text).toMatch(/gate\s+completed\s+-\s+0 ms\s+took 'then'/);
    expect(text).toMatch(/\n {4}b\s+completed\s+1\s+40 ms\s+compensation failed: E_UNDO/);
    expect(text).toMatch(/charge\s+failed\s+1\s+5 ms\s+DECLINED/);
    expect(text).toMatch(/ship\s+skipped\s+-\s+-/);
    expect(text).toMatch(/Outputs\n {2}reserve {2}\{"id":"r1"\}\n {2}fan {6}\{"a":1,"b":2\}/);
    expect(text).toContain('Error\n  DECLINED at step charge: card declined');
    expect(text).toContain('Compensated\n  reserve (in this order)');
    expect(text).toContain('compensation failed for b: E_UNDO: nope');
  });

  it("lists the failed compensation of a looped step's earlier visit", () => {
    const status = failedSaga();
    status.steps[0]!.earlierCompensations = [
      {
        visit: 1,
        status: 'failed',
        attempts: 4,
        error: { code: 'E_GONE', message: 'reservation 1 is gone' },
      },
      { visit: 2, status: 'completed', attempts: 1 },
    ];
    const text = renderStatus(status, plain).join('\n');
    expect(text).toContain('compensation failed for reserve (visit 1): E_GONE: reservation 1 is gone');
    expect(text).toMatch(
      /reserve\s+completed\s+2\s+1\.20 s\s+1 retry; compensated; visit 1: compensation failed: E_GONE/,
    );
  });

  it('shows a pending execution as accepted and queued, not started and running', () => {
    const status: ExecutionStatus = {
      ...failedSaga(),
      status: 'pending',
      error: undefined,
      compensatedSteps: [],
      outputData: {},
      stepsCompleted: 0,
      steps: [{ name: 's', status: 'pending', attempts: 0 }],
    };
    delete status.completedAt;
    delete status.workerId;
    const text = renderStatus(status, plain, at(556).getTime()).join('\n');
    expect(text).toMatch(/accepted\s+\S+/);
    expect(text).toMatch(/queued for\s+556 ms/);
    expect(text).not.toMatch(/running for|started/);
  });

  it('shows how long an unfinished execution has run, and when a waiting step retries', () => {
    const status: ExecutionStatus = {
      ...failedSaga(),
      status: 'running',
      error: undefined,
      compensatedSteps: [],
      outputData: {},
      steps: [{ name: 's', status: 'waiting', attempts: 1, nextAttemptAt: new Date(2025, 0, 1, 9, 0, 1) }],
    };
    delete status.completedAt;
    const text = renderStatus(status, plain, at(3000).getTime()).join('\n');
    expect(text).toMatch(/running for\s+3\.00 s/);
    expect(text).toMatch(/s\s+waiting\s+1\s+-\s+retry at 2025-01-01 09:00:01/);
    expect(text).not.toContain('Outputs');
    expect(outcomeText(status, plain, at(3000).getTime())).toBe('still running after 3.00 s');
  });

  it('shows when a compensation waiting for its retry runs again, as for a waiting step', () => {
    const retry = new Date(2025, 0, 1, 9, 0, 2);
    const error = { code: 'E_BUSY', message: 'busy' };
    const status: ExecutionStatus = {
      ...failedSaga(),
      status: 'compensating',
      compensatedSteps: [],
      steps: [
        {
          name: 'reserve',
          status: 'completed',
          attempts: 1,
          durationMs: 10,
          compensation: { status: 'running', attempts: 1, error, nextAttemptAt: retry },
          earlierCompensations: [{ visit: 1, status: 'running', attempts: 2, error, nextAttemptAt: retry }],
        },
        { name: 'charge', status: 'failed', attempts: 1, error: { code: 'DECLINED', message: 'no' } },
      ],
    };
    delete status.completedAt;
    const text = renderStatus(status, plain, at(3000).getTime()).join('\n');
    expect(text).toMatch(
      /reserve\s+completed\s+1\s+10 ms\s+compensation retry at 2025-01-01 09:00:02: E_BUSY; visit 1: compensation retry at 2025-01-01 09:00:02: E_BUSY$/m,
    );
  });

  it('does not call a run its process cut short a retry (the metrics do not either)', () => {
    const t = (s: number) => new Date(2025, 0, 1, 9, 0, s);
    const interrupted = { code: 'INTERRUPTED', message: 'The node running this attempt stopped' };
    const status: ExecutionStatus = {
      ...failedSaga(),
      status: 'completed',
      error: undefined,
      compensatedSteps: [],
      steps: [
        {
          name: 'resumed',
          status: 'completed',
          attempts: 2,
          durationMs: 1000,
          history: [
            { attempt: 1, startedAt: t(0), error: interrupted },
            { attempt: 2, startedAt: t(5), completedAt: t(6), durationMs: 1000 },
          ],
        },
        {
          name: 'both',
          status: 'completed',
          attempts: 4,
          durationMs: 1000,
          history: [
            { attempt: 1, startedAt: t(0), completedAt: t(1), error: { code: 'E', message: 'e' } },
            { attempt: 2, startedAt: t(2), error: interrupted },
            { attempt: 3, startedAt: t(5), error: interrupted },
            { attempt: 4, startedAt: t(8), completedAt: t(9), durationMs: 1000 },
          ],
        },
      ],
    };
    const text = renderStatus(status, plain).join('\n');
    expect(text).toMatch(/resumed\s+completed\s+2\s+1\.00 s\s+1 interrupted\n/);
    expect(text).toMatch(/both\s+completed\s+4\s+1\.00 s\s+1 retry; 2 interrupted\n/);
  });

  it('sums up the outcome in one line', () => {
    expect(verdict(failedSaga(), plain)).toBe(
      'execution exec_1 failed after 1.52 s: DECLINED at charge: card declined',
    );
    expect(outcomeText({ ...failedSaga(), status: 'completed', error: undefined }, plain)).toBe(
      'completed in 1.52 s',
    );
  });
});

describe('terminal control characters in stored text', () => {
  // A handler's error (or a remote worker's report) carrying escape sequences: printed raw they
  // would recolour, move the cursor or overwrite what the CLI printed before.
  const hostile = '\u001b[2J\u001b[1;1Hall good\rfake\nline\u009b31m';

  it('prints error codes, messages, idempotency keys and outputs with their control characters escaped', () => {
    const status = failedSaga();
    status.error = { code: `E\u001b[31m`, message: hostile, step: 'charge' };
    status.steps[3]!.error = status.error;
    status.steps[2]!.branches![1]!.compensation = {
      status: 'failed',
      attempts: 1,
      error: { code: 'UNDO', message: hostile },
    };
    status.idempotencyKey = 'key\u001b]0;title\u0007';
    status.outputData = { reserve: { note: '\u009b2J' } };
    const text = [...renderStatus(status, plain, at(2000).getTime()), outcomeText(status, plain)].join('\n');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('\\u001b[2J\\u001b[1;1Hall good\\rfake\\nline\\u009b31m');
    expect(text).toContain('key\\u001b]0;title\\u0007');
    expect(text).toContain('E\\u001b[31m');
  });
});

describe('outcomeText with a message width', () => {
  it("cuts the error's message to the width asked, and only then", () => {
    const message = `<html>${'日'.repeat(5000)}`;
    const status = { ...failedSaga(), error: { code: 'E_BODY', message, step: 'charge' } };
    expect(outcomeText(status, plain, 0, 20)).toBe(
      'failed after 1.52 s: E_BODY at charge: <html>日日日日日日…',
    );
    expect(outcomeText(status, plain, 0)).toBe(`failed after 1.52 s: E_BODY at charge: ${message}`);
  });
});
