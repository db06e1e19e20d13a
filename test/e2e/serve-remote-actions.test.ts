/**
 * `serve --remote-actions` with a name no remote worker may serve (a built-in, a name outside the
 * action-name rule) exits 2 naming the flag and the name; it named `names[0]`, an argument of a
 * function the user never called. A name given twice (`stt, tts,stt`) is refused too, naming it,
 * rather than folded into one.
 */
import { describe, expect, it } from 'vitest';
import { startCli } from './fixtures/cli-harness.js';

describe('serve --remote-actions with a bad name', () => {
  it.each([
    ['stt,noop', "--remote-actions: 'noop' is a built-in action"],
    ['stt,bad name', "--remote-actions: 'bad name' must match [A-Za-z0-9_.-]+ (at most 128 characters)"],
    ['stt, tts,stt,tts', "--remote-actions names 'stt', 'tts' more than once"],
  ])('refuses %j (exit 2)', async (names, message) => {
    const running = startCli(['serve', '--port', '0', '--store', 'memory', '--remote-actions', names], {
      ORCHESTRATOR_API_TOKEN: 'serve-remote-actions-token',
    });
    try {
      const { code, stderr } = await running.exited;
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    } finally {
      if (running.child.exitCode === null) running.child.kill('SIGKILL');
    }
  });
});
