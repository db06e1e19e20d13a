/**
 * A node id may hold bidirectional controls (config refuses only control characters): `cancel`
 * names the live owner it waits for with them escaped, as `workers` shows node ids, instead of
 * showing the rest of its line reordered.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { gate, silentLogger, untilAborted } from '../helpers/orchestrator.js';
import { cli, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

describe('cancel and the node id of the owner', () => {
  it('shows its bidirectional controls as escapes', async () => {
    const held = gate();
    const orch = await createOrchestrator({
      store: store.url,
      logger: silentLogger,
      nodeId: 'node\u202e1',
      actions: {
        hold: (_input, ctx) => {
          held.open();
          return untilAborted(ctx.signal);
        },
      },
    });
    try {
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'hold' }]);
      const id = await orch.workflowEngine.executeWorkflow('w');
      await held.promise;
      const r = await cli(['cancel', id, '--store', store.url]);
      expect(r.stdout).toContain('waiting for its owner node\\u202e1 to apply it');
      expect(r.stdout).not.toContain('\u202e');
    } finally {
      await orch.close();
    }
  }, 60_000);
});
