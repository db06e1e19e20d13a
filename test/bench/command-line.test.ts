// Bad command lines of the bench commands (bench/run.ts, compare.ts, scaling.ts, profile-top.ts): refused before any
// row runs, with exit code 2 and one line naming the option and what is wrong — not a stack trace.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { intOption, outFile, parsePayload, quietOption, UsageError } from '../../bench/lib/args.js';
import { parseRows, pgArgs } from '../../bench/lib/engine-rows.js';
import { runScript } from '../helpers/child.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('bench option checks', () => {
  it('refuses values out of range with a UsageError naming the option', () => {
    expect(intOption('n', undefined, 2000)).toBe(2000);
    expect(intOption('n', '10', 2000)).toBe(10);
    for (const bad of ['-5', '0', '1.5', 'ten', '', ' ', '1e400']) {
      expect(() => intOption('n', bad, 2000)).toThrow(UsageError);
    }
    expect(() => intOption('n', '-5', 2000)).toThrow(`--n: expected an integer ≥ 1, got "-5"`);
    expect(() => intOption('quiet', '101', 25, 1, 100)).toThrow(
      '--quiet: expected an integer from 1 to 100, got "101"',
    );
    expect(() => parsePayload('lots')).toThrow(UsageError);
  });

  it('reads --quiet as a fraction of the CPU, off, or its default', () => {
    expect(quietOption(undefined, 25)).toBe(0.25);
    expect(quietOption(undefined, null)).toBeNull();
    expect(quietOption('off', 25)).toBeNull();
    expect(quietOption('40', null)).toBe(0.4);
    expect(() => quietOption('150', 25)).toThrow('--quiet: expected an integer from 1 to 100, got "150"');
  });

  it('refuses an empty row list and bad PostgreSQL row options before any row starts', () => {
    expect(() => parseRows(' , ')).toThrow(UsageError);
    expect(() => parseRows('')).toThrow('--rows: expected one or more of memory, sqlite');
    expect(() => parseRows('sqlite,nope')).toThrow('--rows: unknown row "nope"');
    expect(parseRows('', { allowNone: true })).toEqual([]);
    expect(pgArgs({ 'pg-pool': '4', 'pg-lanes': '2' })).toEqual(['--pg-pool=4', '--pg-lanes=2']);
    expect(() => pgArgs({ 'pg-pool': '0' })).toThrow('--pg-pool: expected an integer ≥ 1, got "0"');
    expect(() => pgArgs({ 'pg-lanes': 'two' })).toThrow('--pg-lanes: expected an integer ≥ 1');
    const url = 'postgres://postgres@127.0.0.1:5432/bench?schema=s';
    expect(pgArgs({ 'pg-url': url })).toEqual([`--pg-url=${url}`]);
    expect(() => pgArgs({ 'pg-url': 'not a url' })).toThrow(UsageError);
    expect(() => pgArgs({ 'pg-url': 'postgres://127.0.0.1:5432' })).toThrow('(no database)');
    // A password in the URL is masked in the message.
    expect(() => pgArgs({ 'pg-url': 'postgresql://u:hunter2@127.0.0.1' })).toThrow(
      /got "postgresql:\/\/\*\*\*@127\.0\.0\.1" \(no database\)$/,
    );
  });

  it('takes a payload of up to 16mb, and an --out file it can write (creating it, writing nothing)', () => {
    expect(parsePayload('16mb')).toBe(16 * 1024 * 1024);
    expect(() => parsePayload('16777217')).toThrow('--payload: at most 16mb');
    const dir = mkdtempSync(join(tmpdir(), 'bench-out-'));
    try {
      const file = join(dir, 'out.jsonl');
      expect(outFile(file)).toBe(file);
      expect(readFileSync(file, 'utf8')).toBe('');
      expect(outFile(undefined)).toBeUndefined();
      expect(() => outFile(dir)).toThrow(`--out: cannot write ${JSON.stringify(dir)}: EISDIR`);
      expect(() => outFile('')).toThrow('--out: expected a file name');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench commands given a bad command line', () => {
  const cases: Array<{ script: string; args: string[]; says: string }> = [
    { script: 'run.ts', args: ['--n=-5'], says: '--n: expected an integer ≥ 1, got "-5"' },
    { script: 'run.ts', args: ['--bogus'], says: "Unknown option '--bogus'" },
    { script: 'run.ts', args: ['--rows', ''], says: '--rows: expected one or more of' },
    { script: 'run.ts', args: ['--pg-pool', '0'], says: '--pg-pool: expected an integer ≥ 1' },
    { script: 'run.ts', args: ['--quiet', 'busy'], says: '--quiet: expected an integer from 1 to 100' },
    { script: 'compare.ts', args: ['--floor', 'maybe'], says: '--floor: expected on or off, got "maybe"' },
    { script: 'compare.ts', args: ['--runs', '0'], says: '--runs: expected an integer ≥ 1, got "0"' },
    { script: 'compare.ts', args: ['--n'], says: "Option '--n <value>' argument missing" },
    { script: 'scaling.ts', args: ['--store', 'nope'], says: '--store: expected one engine row' },
    { script: 'scaling.ts', args: ['--c', '1.5'], says: '--c: expected an integer ≥ 1, got "1.5"' },
    // Given twice, the last one was taken without a word.
    { script: 'run.ts', args: ['--n', '10', '--n=2000'], says: '--n is given more than once' },
    { script: 'compare.ts', args: ['--json', '--json'], says: '--json is given more than once' },
    { script: 'scaling.ts', args: ['-h', '--help'], says: '--help is given more than once' },
    { script: 'run.ts', args: ['--payload', '17mb'], says: '--payload: at most 16mb (16777216 bytes)' },
    // Found only once the first row had run, with a stack trace.
    {
      script: 'run.ts',
      args: ['--out', '/nonexistent-dir/x.jsonl'],
      says: '--out: cannot write "/nonexistent-dir/x.jsonl"',
    },
    { script: 'run.ts', args: ['--pg-url', 'mysql://127.0.0.1/x'], says: '--pg-url: expected postgres://' },
  ];

  it.each(cases)(
    'bench/$script $args: exit 2, a message naming the problem',
    async ({ script, args, says }) => {
      const { code, stdout, stderr } = await runScript(join(root, 'bench', script), args, { cwd: root });
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(`bench/${script}: `);
      expect(stderr).toContain(says);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stderr.trim().split('\n').at(-1)).toBe(`(bench/${script} --help lists the options)`);
    },
  );
});

describe('bench/profile-top.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-top-'));
  const notProfile = join(dir, 'empty.cpuprofile');
  writeFileSync(notProfile, '{}');
  // A profile of 2,000 functions with one sample each: more output than a pipe holds.
  const profile = join(dir, 'big.cpuprofile');
  const nodes = Array.from({ length: 2000 }, (_, i) => ({
    id: i + 1,
    callFrame: { functionName: `fn${i}`, url: `file:///app/f${i}.js`, lineNumber: i },
  }));
  writeFileSync(
    profile,
    JSON.stringify({ nodes, samples: nodes.map((n) => n.id), timeDeltas: nodes.map(() => 1000) }),
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    { args: [], says: 'expected a profile file' },
    { args: [join(dir, 'missing.cpuprofile')], says: 'cannot read' },
    { args: [notProfile], says: 'is not a V8 CPU profile (no nodes, samples and timeDeltas arrays)' },
    { args: [profile, '--top', '0'], says: '--top: expected an integer ≥ 1, got "0"' },
    { args: [profile, '--top', '1', '--top', '2'], says: '--top is given more than once' },
  ])('refuses $args with exit 2: $says', async ({ args, says }) => {
    const { code, stdout, stderr } = await runScript(join(root, 'bench', 'profile-top.ts'), args, {
      cwd: root,
    });
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(says);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('prints its usage for --help (its errors point to it)', async () => {
    const { code, stdout } = await runScript(join(root, 'bench', 'profile-top.ts'), ['--help'], {
      cwd: root,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npx tsx bench\/profile-top\.ts <file\.cpuprofile>\.\.\. \[--top 30\]/);
    expect(stdout).toContain('--top <n>');
  });

  it('prints the top functions, and stops quietly when its reader goes away (| head)', async () => {
    const full = await runScript(join(root, 'bench', 'profile-top.ts'), [profile, '--top', '2'], {
      cwd: root,
    });
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain('| fn0 | /app/f0.js:1 | 1.0 |');

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench', 'profile-top.ts'), profile, '--top', '2000'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code, stderr).toBe(0);
  });
});
