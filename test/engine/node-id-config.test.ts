/**
 * The `nodeId` config key: a 4000-character id made createOrchestrator on PostgreSQL fail with
 * STORE_UNAVAILABLE 'index row size 4016 exceeds btree version 4 maximum 2704', as if the
 * database were at fault, and ids with a newline, U+0000 or an unpaired surrogate were taken
 * (the newline breaks every log line and `orchestrator workers` row that shows it; U+0000 cannot
 * be stored in PostgreSQL and a lone surrogate is stored as U+FFFD, so the node's leases would
 * name another owner). They are now a ValidationError naming nodeId, on every store, before
 * anything is opened.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, ValidationError } from '../../src/index.js';

describe('nodeId', () => {
  it.each([
    ['x'.repeat(513), /at most 512 characters/],
    ['node\n1', /control character/],
    ['node\u0000', /U\+0000/],
    ['node\ud800', /unpaired surrogate/],
    ['node\u0085', /control character/],
  ])('refuses %j', async (nodeId, why) => {
    const opened = createOrchestrator({ store: 'memory', nodeId });
    await expect(opened).rejects.toThrow(ValidationError);
    await expect(createOrchestrator({ store: 'memory', nodeId })).rejects.toThrow(why);
    await expect(createOrchestrator({ store: 'memory', nodeId })).rejects.toThrow(/nodeId/);
  });

  it('takes ids like the default one, of up to 512 characters, any language', async () => {
    for (const nodeId of ['host-a~4026531836/1234/ab12cd', 'x'.repeat(512), 'nœud-été 1']) {
      const orch = await createOrchestrator({ store: 'memory', nodeId });
      expect(orch.nodeId).toBe(nodeId);
      await orch.close();
    }
  });
});
