/**
 * The examples' simulation flags, mistyped, are refused naming the flag and listing the valid
 * ones (examples/README.md) instead of being ignored, so a demo does not quietly run without
 * the failure it was meant to show.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, HANDLERS, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const voice = { audioUrl: 'https://example.com/hello.wav', userId: 123, fast: true };
const run = (input: object, env: NodeJS.ProcessEnv = {}) =>
  cli(
    [
      'run',
      'examples/voice-transcription.json',
      '--handlers',
      HANDLERS,
      '--input',
      JSON.stringify(input),
      '--store',
      store.url,
    ],
    env,
  );

describe('mistyped simulation flags of the examples', () => {
  it('an unknown input key fails the first step naming it and the keys the workflow takes', async () => {
    const r = await run({ ...voice, fial: 'store_result' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/validate_audio\s+failed\s+attempt 1 .*UNKNOWN_FLAG: unknown input key 'fial'/);
    expect(r.stdout).toContain('audioUrl, userId, fast, latency, failures, fail');
    expect(r.stdout).not.toMatch(/store_result\s+started/);
  });

  it('an unknown EXAMPLE_ variable fails the first step naming it and the variables read', async () => {
    const r = await run(voice, { EXAMPLE_FIAL: 'store_result' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/UNKNOWN_FLAG: unknown environment variable EXAMPLE_FIAL/);
    expect(r.stdout).toContain(
      'EXAMPLE_FAST, EXAMPLE_LATENCY, EXAMPLE_FAILURES, EXAMPLE_FAIL, EXAMPLE_QUIET',
    );
  });

  it('a flag of the wrong type is refused naming it', async () => {
    const r = await run({ ...voice, latency: '10' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/BAD_SIMULATION: latency must be a number of 0 or more, got "10"/);
  });
});
