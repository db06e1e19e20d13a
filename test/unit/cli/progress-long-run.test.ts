/**
 * The elapsed column of `run`'s progress keeps its width on long runs: `+1000.00s` (16m40s in)
 * took a ninth character and shifted the labels and texts of every later line by one.
 */
import { describe, expect, it } from 'vitest';
import { formatElapsed } from '../../../src/cli/format.js';
import { Output } from '../../../src/cli/output.js';
import { ProgressPrinter } from '../../../src/cli/progress.js';

/** The line printed for a step start `agoMs` after the run started. */
function lineAt(agoMs: number): string {
  let text = '';
  const out = new Output({ json: false, stdout: { write: (t: string) => (text += t) }, colors: false });
  const progress = new ProgressPrinter(out, [{ name: 'fetch' }], performance.now() - agoMs);
  progress.follow('e1');
  progress.receive({
    event: 'step.started',
    payload: { executionId: 'e1', workflowId: 'w', step: 'fetch', attempt: 1 },
  });
  return text.trimEnd();
}

describe('the elapsed column on long runs', () => {
  it('puts the label at the same column from the first second to weeks in', () => {
    const times = [
      310,
      999_000,
      1_000_500,
      9_999_990,
      12_345_000,
      999_999_000,
      1_000_000_000,
      30 * 86_400_000,
    ];
    const columns = times.map((ms) => lineAt(ms).indexOf('fetch'));
    expect(columns).toEqual(times.map(() => 10));
  });

  it('keeps its reading within 8 characters, in seconds up to 11 days, in days after', () => {
    expect(formatElapsed(999_994)).toBe('+999.99s');
    expect(formatElapsed(999_996)).toBe('+1000.0s');
    expect(formatElapsed(1_000_500)).toBe('+1000.5s');
    expect(formatElapsed(9_999_940)).toBe('+9999.9s');
    expect(formatElapsed(12_345_600)).toBe('+12346s');
    expect(formatElapsed(999_999_000)).toBe('+999999s');
    expect(formatElapsed(1_000_000_000)).toBe('+11.6d');
    expect(formatElapsed(30 * 86_400_000)).toBe('+30.0d');
  });
});
