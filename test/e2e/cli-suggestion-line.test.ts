/**
 * Commander follows a mistyped option or command with a suggestion on its own line
 * (`(Did you mean --json?)`); escaping the control characters of the error line turned that line
 * break into a literal `\n`. The suggestion is on its own line again; what the user typed is
 * still escaped.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './fixtures/cli-harness.js';

describe.concurrent('a suggestion after a usage error', () => {
  it('is on a line of its own after an unknown option', async () => {
    const r = await cli(['list', '--jsno', '--store', 'memory']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--jsno'\n(Did you mean --json?)\n");
  });

  it('is on a line of its own after an unknown command, whose control characters stay escaped', async () => {
    const r = await cli(['lst\u001b[2J']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'lst\\u001b[2J'\n");
    const typo = await cli(['lsit']);
    expect(typo.stderr).toBe("error: unknown command 'lsit'\n(Did you mean list?)\n");
  });
});
