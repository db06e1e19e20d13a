/**
 * `orchestrator run`'s live progress times what it shows on the process's monotonic clock: a
 * system clock set back while it runs (NTP) made a retried attempt's time negative, printed as
 * "in - on attempt 2", and froze the elapsed column at +0.00s until the clock caught up.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Output } from '../../../src/cli/output.js';
import { ProgressPrinter } from '../../../src/cli/progress.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ProgressPrinter with the system clock set back', () => {
  it('prints no negative time', () => {
    let text = '';
    const out = new Output({ json: false, stdout: { write: (t: string) => (text += t) }, colors: false });
    const progress = new ProgressPrinter(out, [{ name: 'fetch' }]);
    const ref = { executionId: 'e1', workflowId: 'w' };
    progress.follow('e1');
    progress.receive({ event: 'step.started', payload: { ...ref, step: 'fetch', attempt: 2 } });
    const realNow = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(realNow - 60_000);
    progress.receive({
      event: 'step.completed',
      payload: { ...ref, step: 'fetch', attempt: 2, durationMs: 1500, output: {} },
    });
    // The attempt's own time, measured: not '-' (a negative duration has no text).
    expect(text).toMatch(/completed {4}in \d+ ms on attempt 2 \(1\.50 s since the first\)/);
  });
});
