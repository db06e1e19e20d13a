/**
 * Worker ids are config (`workers`) stored with each execution, and may hold control characters:
 * `list`, `status` and `workers` show them as escapes, as every other value from the store,
 * instead of sending an escape sequence to the terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { gate, silentLogger, untilAborted } from '../helpers/orchestrator.js';
import { cli, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const WORKER = 'w\u001b[31mred\r';
let id = '';

beforeAll(async () => {
  const held = gate();
  const orch = await createOrchestrator({
    store: store.url,
    logger: silentLogger,
    workers: [WORKER],
    actions: {
      hold: (_input, ctx) => {
        held.open();
        return untilAborted(ctx.signal);
      },
    },
  });
  try {
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'hold' }]);
    id = await orch.workflowEngine.executeWorkflow('w');
    await held.promise;
  } finally {
    await orch.close();
  }
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('a worker id with control characters', () => {
  it.each([['list'], ['status'], ['workers']])('is escaped by `%s`', async (command) => {
    const r = await cli([command, ...(command === 'status' ? [id] : []), '--store', store.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).toContain('w\\u001b[31mred\\r');
  });

  it('is kept as is in --json output', async () => {
    const r = await cli(['--json', 'status', id, '--store', store.url]);
    expect(JSON.parse(r.stdout).workerId).toBe(WORKER);
  });
});
