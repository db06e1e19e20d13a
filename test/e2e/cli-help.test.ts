/**
 * `orchestrator help <command>`: help for a known command exits 0; an unknown one said nothing
 * but printed the whole program help to stderr and exited 2 (with `--json`: 'a command is
 * required'), so a mistyped name looked like a missing one. It now says which name is unknown.
 */
import { describe, expect, it } from 'vitest';
import { cli, parseJson } from './fixtures/cli-harness.js';

describe('orchestrator help', () => {
  it('names an unknown command and exits 2', async () => {
    const [text, json] = await Promise.all([cli(['help', 'bogus']), cli(['--json', 'help', 'bogus'])]);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^error: unknown command 'bogus' \(see orchestrator --help\)\n$/);
    expect(json.code).toBe(2);
    expect(parseJson<{ error: { code: string; message: string } }>(json.stdout).error).toEqual({
      code: 'USAGE',
      message: "unknown command 'bogus' (see orchestrator --help)",
    });
  });

  it('still shows the help of a known command, and the program help without one, exit 0', async () => {
    const [status, all, json] = await Promise.all([
      cli(['help', 'status']),
      cli(['help']),
      cli(['--json', 'help', 'list']),
    ]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Usage: orchestrator status \[options\] <executionId>/);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^Usage: orchestrator \[options\] \[command\]/);
    expect(all.stdout).toMatch(/\n {2}help \[command\] +display help for command\n/);
    expect(json.code).toBe(0);
    expect(parseJson<{ help: string }>(json.stdout).help).toMatch(/^Usage: orchestrator list /);
  });
});
