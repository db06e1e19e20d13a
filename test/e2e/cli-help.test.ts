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

  // `purge --help` said neither that --limit defaults to all nor that a plain number is seconds,
  // both of which the README says.
  it('says what purge takes as README does', async () => {
    const r = await cli(['purge', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('30d, 12h, 90m, 45s, 2w (plain numbers are seconds)');
    expect(help).toContain('delete at most this many (all unless given; at most 1000000)');
  });
});
