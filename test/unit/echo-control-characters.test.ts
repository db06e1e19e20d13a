/**
 * A message that repeats a value the caller gave (an id looked up, a key) showed its control
 * characters as they are: `getStatus('a\nERROR …')` made a message of two lines, the second one
 * forged, in any log that prints it, and a NUL or an escape sequence went to the terminal. echo()
 * now shows them escaped (`\u000a`); the error's structured field keeps the value whole.
 */
import { describe, expect, it } from 'vitest';
import { echo } from '../../src/echo.js';
import { ExecutionNotFoundError, WorkflowNotFoundError } from '../../src/errors.js';
import { createOrchestrator } from '../../src/index.js';

describe('echo of a value with control characters', () => {
  it('escapes C0 and C1 controls, DEL and the line and paragraph separators', () => {
    expect(echo('a\nb\r\t\u0000\u001b[31m\u007f\u0085\u2028\u2029z')).toBe(
      "'a\\u000ab\\u000d\\u0009\\u0000\\u001b[31m\\u007f\\u0085\\u2028\\u2029z'",
    );
    expect(echo('plain ünïcode 😀')).toBe("'plain ünïcode 😀'");
  });

  it('keeps the value whole in the error, escaped in its message', async () => {
    const forged = 'x\nERROR {"msg":"forged"}';
    const error = new ExecutionNotFoundError(forged);
    expect(error.message).toBe(`Execution 'x\\u000aERROR {"msg":"forged"}' does not exist`);
    expect(error.executionId).toBe(forged);
    expect(new WorkflowNotFoundError('w\r').message).toBe("Workflow 'w\\u000d' is not defined");
    const orch = await createOrchestrator({ store: 'memory' });
    try {
      await expect(orch.workflowEngine.waitForCompletion(forged)).rejects.toThrow(
        /^Execution 'x\\u000aERROR/,
      );
    } finally {
      await orch.close();
    }
  });
});
