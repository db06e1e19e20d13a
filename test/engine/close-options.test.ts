/**
 * Misspelt or impossible options of `close()` and of the memory store are refused by name, not
 * ignored: a `close({ grce: 30 })` that closed at once would stop running steps (to run again).
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, ValidationError } from '../../src/index.js';
import { gate, withOrchestrator } from '../helpers/orchestrator.js';

describe('close() options', () => {
  it('refuses an unknown key or a bad grace, and stays open; a good grace still works', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: 'memory',
      actions: { block: () => hold.promise.then(() => 'done') },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await expect(orch.close({ grce: 30 } as never)).rejects.toThrow(ValidationError);
    await expect(orch.close({ grce: 30 } as never)).rejects.toThrow(/grce: unknown key 'grce'/);
    for (const grace of [-1, Number.NaN, '10', 2e9]) {
      await expect(orch.close({ grace } as never)).rejects.toThrow(/grace: expected seconds from 0 to/);
    }
    await expect(orch.close(null as never)).rejects.toThrow(/expected an object such as \{ grace: 10 \}/);
    // NaN and Infinity are named as given, not as JSON's null.
    await expect(orch.close({ grace: Number.NaN })).rejects.toThrow(/got NaN$/);
    await expect(orch.close({ grace: Number.POSITIVE_INFINITY })).rejects.toThrow(/got Infinity$/);
    expect(orch.closed).toBe(false);
    const closing = orch.close({ grace: 5 });
    hold.open();
    await closing;
    expect((await orch.store.getExecution(id))?.execution.status).toBe('completed');
  });
});

describe('MemoryStore options', () => {
  it('refuses an unknown key by name', () => {
    expect(() => new MemoryStore({ maxFinishd: 5 } as never)).toThrow(/maxFinishd: unknown key 'maxFinishd'/);
    expect(new MemoryStore({ maxFinished: 5 }).maxFinished).toBe(5);
  });
});
