/**
 * A handlers module that exports a handler under a name no definition can use (a space, or
 * `__proto__`) is refused by `run` and `serve` before anything runs: exit 2 with the config
 * error naming the key, as `createOrchestrator` refuses it (SPEC §3's name rule).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/orchestrator.js';
import { cli, tempStore } from './fixtures/cli-harness.js';

/**
 * Writes a handlers module that serves the action `ok` and adds one handler named `name` to its
 * `kind` object, as an own enumerable key (so `__proto__` is a key, not the prototype).
 */
function handlersWith(kind: 'actions' | 'compensations', name: string): string {
  const file = join(tempDir(), 'handlers.mjs');
  writeFileSync(
    file,
    [
      'export const actions = { ok: () => 1 };',
      'export const compensations = {};',
      `Object.defineProperty(${kind}, ${JSON.stringify(name)}, { value: () => 2, enumerable: true });`,
    ].join('\n'),
  );
  return file;
}

function definition(): string {
  const file = join(tempDir(), 'wf.json');
  writeFileSync(file, JSON.stringify({ id: 'w', steps: [{ name: 'ok' }] }));
  return file;
}

describe('a handlers module with a handler name no definition can use', () => {
  it.each([
    ['run', 'actions', 'has space'],
    ['run', 'compensations', 'x'.repeat(129)],
    ['run', 'actions', '__proto__'],
    ['serve', 'actions', 'has space'],
  ] as const)('%s refuses %s named %j, naming it', async (command, kind, name) => {
    const store = tempStore();
    try {
      const handlers = handlersWith(kind, name);
      const args =
        command === 'run'
          ? ['--store', store.url, 'run', definition(), '--handlers', handlers]
          : ['--store', store.url, 'serve', '--port', '0', '--handlers', handlers];
      const result = await cli(args, { ORCHESTRATOR_API_TOKEN: 'tok-0123456789abcdef' });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Invalid config: ${kind}.${name.slice(0, 20)}`);
      expect(result.stdout).not.toMatch(/Execution exec_|listening/i);
    } finally {
      store.remove();
    }
  });
});
