// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../../src/cli/display-width.js';
import { Output } from '../../../src/cli/output.js';
import { ProgressPrinter } from '../../../src/cli/progress.js';
import type { StepDefinition } from '../../../src/definition/types.js';

const steps: StepDefinition[] = [
  { name: 'fetch', compensation: 'unfetch' },
  { name: 'gate', condition: 'result.ok', then: 'fan' },
  { name: 'fan', parallel: [{ name: 'left' }, { name: 'right' }] },
];

function printer() {
  let text = '';
  const out = new Output({ json: false, stdout: { write: (t: string) => (text += t) }, colors: false });
  const progress = new ProgressPrinter(out, steps);
  const lines = () =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^\s*\+\d+\.\d+s {2}/, ''));
  return { progress, lines };
}

const ref = { executionId: 'e1', workflowId: 'w' };

describe('ProgressPrinter', () => {
  it('holds events until it knows the execution, then prints only that one', () => {
    const { progress, lines } = printer();
    progress.receive({ event: 'step.started', payload: { ...ref, step: 'fetch', attempt: 1 } });
    progress.receive({
      event: 'step.started',
      payload: { executionId: 'other', workflowId: 'w', step: 'fetch', attempt: 1 },
    });
    expect(lines()).toEqual([]);
    progress.follow('e1');
    expect(lines()).toEqual(['fetch      started      attempt 1']);
  });

  it('prints failures with their retry delay, retries, decisions, branches and compensations', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    const error = { code: 'E_NET', message: 'down', step: 'fetch' };
    progress.receive({
      event: 'step.failed',
      payload: {
        ...ref,
        step: 'fetch',
        attempt: 1,
        error,
        durationMs: 12,
        delayMs: 1000,
        retryAt: new Date(),
      },
    });
    progress.receive({ event: 'step.started', payload: { ...ref, step: 'fetch', attempt: 2 } });
    progress.receive({
      event: 'step.completed',
      payload: { ...ref, step: 'fetch', attempt: 2, durationMs: 1500, output: {} },
    });
    progress.receive({
      event: 'step.decided',
      payload: { ...ref, step: 'gate', decision: 'then', next: 'fan' },
    });
    progress.receive({ event: 'step.started', payload: { ...ref, step: 'left', parent: 'fan', attempt: 1 } });
    progress.receive({
      event: 'step.failed',
      payload: { ...ref, step: 'left', parent: 'fan', attempt: 1, error, durationMs: 3 },
    });
    progress.receive({ event: 'execution.compensating', payload: { ...ref, error, steps: ['fetch'] } });
    progress.receive({ event: 'compensation.started', payload: { ...ref, step: 'fetch', attempt: 1 } });
    progress.receive({
      event: 'compensation.failed',
      payload: {
        ...ref,
        step: 'fetch',
        attempt: 1,
        error: { code: 'E_UNDO', message: 'no' },
        final: false,
        delayMs: 2000,
        retryAt: new Date(),
      },
    });
    progress.receive({ event: 'compensation.started', payload: { ...ref, step: 'fetch', attempt: 2 } });
    progress.receive({
      event: 'compensation.completed',
      payload: { ...ref, step: 'fetch', attempt: 2, durationMs: 2004 },
    });
    const got = lines();
    expect(got[0]).toBe('fetch      failed       attempt 1 after 12 ms: E_NET: down; retry in 1s');
    expect(got[1]).toBe('fetch      started      attempt 2 (retry 1)');
    expect(got[2]).toMatch(/^fetch {6}completed {4}in \d+ ms on attempt 2 \(1\.50 s since the first\)$/);
    expect(got[3]).toBe("gate       decided      'then' -> fan");
    expect(got[4]).toBe('fan/left   started      attempt 1');
    expect(got[5]).toBe('fan/left   failed       attempt 1 after 3 ms: E_NET: down; no retry');
    expect(got[6]).toBe('saga       E_NET: compensating 1 step in reverse order: fetch');
    expect(got[7]).toBe('fetch      compensating with unfetch (attempt 1)');
    expect(got[8]).toBe('fetch      compensation failed: E_UNDO: no; retry in 2s');
    expect(got[9]).toBe('fetch      compensating with unfetch (attempt 2; retry 1)');
    // As for a step: the attempt's own time, and the whole compensation's since its first attempt.
    expect(got[10]).toMatch(/^fetch {6}compensated {2}in \d+ ms on attempt 2 \(2\.00 s since the first\)$/);
  });

  it('tells a compensation retry from an attempt after an interruption, as for a step', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    for (const payload of [
      { ...ref, step: 'fetch', attempt: 2 },
      { ...ref, step: 'fetch', attempt: 2, interruptions: 1 },
      { ...ref, step: 'fetch', attempt: 3, interruptions: 1 },
    ]) {
      progress.receive({ event: 'compensation.started', payload });
    }
    expect(lines()).toEqual([
      'fetch      compensating with unfetch (attempt 2; retry 1)',
      'fetch      compensating with unfetch (attempt 2; 1 interrupted)',
      'fetch      compensating with unfetch (attempt 3; retry 1; 1 interrupted)',
    ]);
  });

  it('prints a step its execution stopped (a sibling branch failed, a cancel, a workflow timeout)', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    progress.receive({
      event: 'step.started',
      payload: { ...ref, step: 'right', parent: 'fan', attempt: 1 },
    });
    progress.receive({
      event: 'step.cancelled',
      payload: {
        ...ref,
        step: 'right',
        parent: 'fan',
        attempt: 1,
        error: { code: 'CANCELLED', message: 'The step was stopped before it finished', step: 'right' },
        durationMs: 7,
      },
    });
    expect(lines()).toEqual([
      'fan/right  started      attempt 1',
      'fan/right  stopped      attempt 1 after 7 ms: CANCELLED',
    ]);
  });

  it('escapes control characters in error codes and messages (a handler cannot drive the terminal)', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    const error = { code: 'E\u001b[31m', message: 'bad\r\u001b[2Kok\nnext', step: 'fetch' };
    progress.receive({
      event: 'step.failed',
      payload: { ...ref, step: 'fetch', attempt: 1, error, durationMs: 1 },
    });
    progress.receive({ event: 'execution.compensating', payload: { ...ref, error, steps: ['fetch'] } });
    progress.receive({
      event: 'compensation.failed',
      payload: { ...ref, step: 'fetch', attempt: 1, error: { ...error }, final: true },
    });
    const got = lines();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    expect(got.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(got[0]).toBe(
      'fetch      failed       attempt 1 after 1 ms: E\\u001b[31m: bad\\r\\u001b[2Kok\\nnext; no retry',
    );
    expect(got[1]).toContain('E\\u001b[31m: compensating');
    expect(got[2]).toContain('compensation failed: E\\u001b[31m: bad\\r\\u001b[2Kok\\nnext');
  });

  it('announces executions resumed from earlier runs when they finish', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    progress.receive({
      event: 'execution.finished',
      payload: { executionId: 'old', workflowId: 'w', status: 'completed', durationMs: 2500, ran: true },
    });
    progress.receive({
      event: 'execution.finished',
      payload: { ...ref, status: 'completed', durationMs: 1, ran: true },
    });
    progress.finished('completed in 1 ms');
    expect(lines()).toEqual([
      'resumed    execution old (w) completed after 2.50 s',
      'execution  completed in 1 ms',
    ]);
  });

  it('prints nothing in JSON mode', () => {
    let text = '';
    const out = new Output({ json: true, stdout: { write: (t: string) => (text += t) } });
    const progress = new ProgressPrinter(out, steps);
    progress.follow('e1');
    progress.receive({ event: 'step.started', payload: { ...ref, step: 'fetch', attempt: 1 } });
    expect(text).toBe('');
  });
});

describe('ProgressPrinter and worker ids', () => {
  it('escapes control characters of the worker an execution starts on', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    progress.receive({
      event: 'execution.started',
      payload: { ...ref, workerId: 'w\u001b[31m', resumed: false },
    });
    expect(lines()).toEqual(['execution  started on w\\u001b[31m']);
  });
});

describe('ProgressPrinter label column', () => {
  // With step names shorter than 'execution', its lines (started on, the verdict) pushed their
  // text right of every step line's.
  it('is as wide as its own labels, execution and resumed, when the step names are shorter', () => {
    let text = '';
    const out = new Output({ json: false, stdout: { write: (t: string) => (text += t) }, colors: false });
    const progress = new ProgressPrinter(out, [{ name: 'a' }, { name: 'bc' }]);
    progress.follow('e1');
    progress.receive({ event: 'execution.started', payload: { ...ref, workerId: 'w1', resumed: false } });
    progress.receive({ event: 'step.started', payload: { ...ref, step: 'a', attempt: 1 } });
    progress.receive({
      event: 'execution.finished',
      payload: { executionId: 'old', workflowId: 'w', status: 'completed', durationMs: 5, ran: true },
    });
    progress.finished('completed in 1 ms');
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^\s*\+\d+\.\d+s {2}/, ''));
    expect(lines).toEqual([
      'execution  started on w1',
      'a          started      attempt 1',
      'resumed    execution old (w) completed after 5 ms',
      'execution  completed in 1 ms',
    ]);
  });
});

describe('ProgressPrinter and long error messages', () => {
  // A handler that threw a whole response body (up to the 8192 characters kept) had it printed on
  // every failed attempt's line and the verdict's, each wrapping over dozens of terminal lines,
  // before the summary printed it once more in full.
  it('cuts a long error message on attempt, compensation and verdict lines', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    const error = { code: 'E_BODY', message: `<html>${'日x'.repeat(4000)}</html>`, step: 'fetch' };
    progress.receive({
      event: 'step.failed',
      payload: {
        ...ref,
        step: 'fetch',
        attempt: 1,
        error,
        durationMs: 12,
        delayMs: 1000,
        retryAt: new Date(),
      },
    });
    progress.receive({
      event: 'compensation.failed',
      payload: { ...ref, step: 'fetch', attempt: 1, error, final: true },
    });
    const [failed, compensation] = lines();
    expect(displayWidth(failed!)).toBeLessThan(250);
    expect(failed).toMatch(/^fetch +failed +attempt 1 after 12 ms: E_BODY: <html>日x日x.*…; retry in 1s$/);
    expect(displayWidth(compensation!)).toBeLessThan(250);
    expect(compensation).toMatch(/compensation failed: E_BODY: <html>日x.*…; giving up$/);
  });

  it('keeps a message that fits whole', () => {
    const { progress, lines } = printer();
    progress.follow('e1');
    const error = { code: 'E', message: 'x'.repeat(150), step: 'fetch' };
    progress.receive({
      event: 'step.failed',
      payload: { ...ref, step: 'fetch', attempt: 1, error, durationMs: 1 },
    });
    expect(lines()[0]).toContain(`E: ${'x'.repeat(150)}; no retry`);
  });
});
