import { describe, expect, it } from 'vitest';
import { cliLogger } from '../../../src/cli/logger.js';

describe('cliLogger and control characters', () => {
  it("shows a handler's escape sequences as escapes, as every other error line does", () => {
    const lines: string[] = [];
    const logger = cliLogger({}, (l) => lines.push(l));
    // An alert's message quotes a compensation's error message, which a handler wrote.
    logger?.warn({}, 'alert: Compensation of step a failed: undo \u001b[31mfailed\r\u202e');
    logger?.error({ err: new Error('disk \u001b[2J full\nnext') }, 'sweep failed');
    expect(lines).toEqual([
      'warning: alert: Compensation of step a failed: undo \\u001b[31mfailed\\r\\u202e\n',
      'error: sweep failed: disk \\u001b[2J full\\nnext\n',
    ]);
  });
});
