/**
 * Ctrl-C (here: SIGINT sent while `cancel` loads its handlers module, after the command began)
 * of a command other than `run` and `serve` ends it with its usual error report, exit 130 and,
 * with `--json`, the `{ error }` document, not a process killed by the signal with nothing printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { gate, silentLogger, untilAborted } from '../helpers/orchestrator.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

/** An execution left running with no owner, for `cancel` to take over (and load its handlers). */
async function orphan(): Promise<string> {
  const held = gate();
  const owner = await createOrchestrator({
    store: store.url,
    logger: silentLogger,
    actions: {
      hold: (_input, ctx) => {
        held.open();
        return untilAborted(ctx.signal);
      },
    },
  });
  await owner.workflowEngine.defineWorkflow('w', [{ name: 'hold' }]);
  const id = await owner.workflowEngine.executeWorkflow('w');
  await held.promise;
  await owner.close();
  return id;
}

const SELF_INTERRUPT = 'test/e2e/fixtures/self-interrupt-handlers.ts';

describe('a command other than run and serve, interrupted', () => {
  it('--json: exits 130 with an INTERRUPTED error document; without: an error line', async () => {
    const id = await orphan();
    const args = ['cancel', id, '--store', store.url, '--handlers', SELF_INTERRUPT];
    const [json, text] = await Promise.all([cli(['--json', ...args]), cli(args)]);
    expect({ code: json.code, signal: json.signal }).toEqual({ code: 130, signal: null });
    expect(parseJson<{ error: unknown }>(json.stdout).error).toEqual({
      code: 'INTERRUPTED',
      message: 'interrupted (SIGINT): cancel stopped before it finished',
    });
    expect({ code: text.code, signal: text.signal }).toEqual({ code: 130, signal: null });
    expect(text.stderr).toBe('error: interrupted (SIGINT): cancel stopped before it finished\n');
  }, 120_000);
});
