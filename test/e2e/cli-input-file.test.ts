/**
 * `run --input-file <path>`: the workflow input from a JSON file, or a pipe such as `/dev/stdin`.
 * `--input` takes the JSON as one command-line argument, and Linux takes at most 128 KiB in one
 * (`Argument list too long`): a larger input could not be run from the CLI at all. The file's
 * input is checked as `--input`'s, before the store opens.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
const dir = mkdtempSync(join(tmpdir(), 'cli-input-file-'));
afterAll(() => {
  store.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** Counts `input.items`. */
const COUNT = join(dir, 'count.json');
writeFileSync(
  COUNT,
  JSON.stringify({
    id: 'count',
    steps: [{ name: 'count', action: 'noop', input: "{'n': size(input.items)}" }],
  }),
);

/** `text` in a file of `dir`; its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** 3,000 items of 100 characters: about 300 KB of JSON, over Linux's 128 KiB per argument. */
const BIG = JSON.stringify({ items: Array.from({ length: 3000 }, () => 'x'.repeat(100)) });

describe('run --input-file', () => {
  it('runs an input too large for one command-line argument', async () => {
    expect(Buffer.byteLength(BIG)).toBeGreaterThan(128 * 1024);
    const r = await cli([
      '--json',
      'run',
      COUNT,
      '--input-file',
      file('big.json', BIG),
      '--store',
      store.url,
    ]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(parseJson<{ status: string; outputData: unknown }>(r.stdout)).toMatchObject({
      status: 'completed',
      outputData: { count: { n: 3000 } },
    });
  }, 60_000);

  /** `run --json` with `args`, `stdin` written to it through a Node.js pipe (a socket pair, not a FIFO). */
  const runWithStdin = (args: string[], stdin: string) => cli(['--json', 'run', ...args], {}, stdin);

  it("reads /dev/stdin when it is a Node.js parent's pipe (a socket, which /dev/stdin cannot open)", async () => {
    const r = await runWithStdin(
      [COUNT, '--input-file', '/dev/stdin', '--store', 'memory'],
      '{"items": [1, 2]}',
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(parseJson<{ outputData: unknown }>(r.stdout).outputData).toEqual({ count: { n: 2 } });
    // The definition too (it was refused: "definition file '/dev/stdin' is not a regular file").
    const definition = JSON.stringify({ id: 'piped', steps: [{ name: 'a', action: 'noop' }] });
    const d = await runWithStdin(['/dev/stdin', '--input', '{"x": 1}', '--store', 'memory'], definition);
    expect({ code: d.code, stderr: d.stderr }).toEqual({ code: 0, stderr: '' });
    expect(parseJson<{ outputData: unknown }>(d.stdout).outputData).toEqual({ a: { x: 1 } });
    // Both from stdin: the definition's read took it all, and the input was "not valid JSON: it
    // is empty". Refused as one stream read twice.
    const both = await runWithStdin(
      ['/dev/stdin', '--input-file', '/dev/stdin', '--store', 'memory'],
      definition,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      "error: the definition file and --input-file both read '/dev/stdin', one stream: give one of them a file of its own\n",
    );
    // The same regular file for both is read twice, as asked.
    const same = file('both.json', definition);
    const twice = await cli(['--json', 'run', same, '--input-file', same, '--store', 'memory']);
    expect({ code: twice.code, stderr: twice.stderr }).toEqual({ code: 0, stderr: '' });
  }, 60_000);

  it('refuses --input together with it, before the store opens', async () => {
    const fresh = tempStore();
    try {
      const r = await cli([
        'run',
        COUNT,
        '--input',
        '{}',
        '--input-file',
        file('one.json', '{}'),
        '--store',
        fresh.url,
      ]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
      expect(r.stderr).toBe('error: --input and --input-file both give the input: pass one of them\n');
      expect(existsSync(fresh.file)).toBe(false);
    } finally {
      fresh.remove();
    }
  }, 60_000);

  it('names the file or the option for an input it cannot take, before the store opens', async () => {
    const fresh = tempStore();
    try {
      const missing = join(dir, 'missing.json');
      const cases: [string, string][] = [
        [missing, `error: input file '${missing}' not found\n`],
        [
          file('dup.json', '{"a": 1, "a": 2}'),
          `error: input file '${join(dir, 'dup.json')}': has the key 'a' twice`,
        ],
        [file('deep.json', `${'['.repeat(65)}${']'.repeat(65)}`), 'error: --input-file: [0][0]'],
      ];
      for (const [path, message] of cases) {
        const r = await cli(['run', COUNT, '--input-file', path, '--store', fresh.url]);
        expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
        expect(r.stderr.startsWith(message)).toBe(true);
      }
      expect(existsSync(fresh.file)).toBe(false);
    } finally {
      fresh.remove();
    }
  }, 60_000);
});
