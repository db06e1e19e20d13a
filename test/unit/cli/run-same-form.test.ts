/**
 * `orchestrator run` on a SQLite file, with definition files that differ only in form (whitespace,
 * `2.0` for `2`, keys in another order, a fixed default written out), runs the version the first
 * one stored instead of storing another; a change of meaning is the next version. In process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../../src/cli/commands/run.js';
import { addGlobalOptions } from '../../../src/cli/globals.js';
import { tempDir, tempSqliteUrl } from '../../helpers/orchestrator.js';

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs `orchestrator --store <url> --json run <file>` in process; returns the version it ran. */
async function runVersion(url: string, file: string): Promise<number> {
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const program = addGlobalOptions(new Command('orchestrator').exitOverride());
  register(program);
  try {
    await program.parseAsync(['--store', url, '--json', 'run', file], { from: 'user' });
  } finally {
    vi.mocked(process.stdout.write).mockRestore();
  }
  const status = JSON.parse(stdout) as { status: string; workflowVersion: number };
  expect(status.status).toBe('completed');
  return status.workflowVersion;
}

describe('orchestrator run with the stored definition in another form', () => {
  it('runs the stored version and stores none', async () => {
    const dir = tempDir();
    const url = tempSqliteUrl();
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const first = file('a.json', '{"id":"w","steps":[{"name":"a","action":"noop","retry":true}]}');
    const same = file(
      'b.json',
      '{\n  "steps": [ { "retry": { "backoffCoefficient": 2.0, "nonRetryable": [] }, "action": "noop", "name": "a" } ],\n  "id": "w"\n}\n',
    );
    const changed = file(
      'c.json',
      '{"id":"w","steps":[{"name":"a","action":"noop","retry":{"maxAttempts":3}}]}',
    );
    expect(await runVersion(url, first)).toBe(1);
    expect(await runVersion(url, same)).toBe(1);
    expect(await runVersion(url, changed)).toBe(2);
  });
});
