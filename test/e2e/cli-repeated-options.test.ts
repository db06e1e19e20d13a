/**
 * An option that takes one value given twice (`run f.json --input '{"a":1}' --input '{"b":2}'`,
 * `--store x --store y`, `list --limit 5 --limit 10`) kept the last value and dropped the first
 * without a word: the run started with {"b":2}. It is now a usage error (exit 2) naming the
 * option, and nothing runs; options given once, and flags without a value, are unchanged.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
const untouched = tempStore();
afterAll(() => {
  store.remove();
  untouched.remove();
});

describe.concurrent('repeated options', () => {
  it('refuses an option given twice, naming it, and runs nothing', async () => {
    const [input, storeTwice, limit] = await Promise.all([
      cli([
        'run',
        'test/e2e/fixtures/cli-noop.json',
        '--store',
        untouched.url,
        '--input',
        '{"a":1}',
        '--input',
        '{"b":2}',
      ]),
      cli(['--store', untouched.url, 'list', '--store', 'memory']),
      cli(['list', '--store', untouched.url, '--limit', '5', '--limit=10']),
    ]);
    expect(input.code).toBe(2);
    expect(input.stdout).toBe('');
    expect(input.stderr).toBe("error: option '--input <json>' given more than once; give it once\n");
    expect(storeTwice.code).toBe(2);
    expect(storeTwice.stderr).toBe("error: option '--store <url>' given more than once; give it once\n");
    expect(limit.code).toBe(2);
    expect(limit.stderr).toBe("error: option '--limit <n>' given more than once; give it once\n");
    // Refused while parsing: the store was never even opened.
    expect(existsSync(untouched.file)).toBe(false);
  });

  it('still takes each option once, and a repeated flag without a value', async () => {
    const r = await cli([
      '--json',
      '--json',
      'run',
      'test/e2e/fixtures/cli-noop.json',
      '--store',
      store.url,
      '--input',
      '{"a":1}',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'completed', inputData: { a: 1 } });
  });
});
