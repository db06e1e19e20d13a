/**
 * An array whose length alone puts it over the size limit — `new Array(2 ** 32 - 1)` takes no
 * memory, but its JSON is `[null,null,...]`, 20 GB — is refused from its length, before its items
 * are copied or walked: the copy used to write billions of nulls (the process ran out of memory)
 * before the size was checked. The arrays here count the items read, so a copy that walks them
 * shows without taking the memory.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

/** A 20-million-item array (holes) that counts the items read. */
function countingArray(): { list: unknown[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy(new Array<unknown>(20_000_000), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { list, reads: () => reads };
}

describe('arrays too long to store (memory store)', () => {
  it('a workflow input is refused without reading its items', async () => {
    const orch = await withOrchestrator({ store: 'memory' });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', action: 'noop' }]);
    const { list, reads } = countingArray();
    const refusal = await orch.workflowEngine.executeWorkflow('w', { list }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).issues).toEqual([
      {
        path: 'inputData',
        message: 'is too large to store: more than 128 MiB of JSON text, over the limit of 64 MiB',
      },
    ]);
    expect(reads()).toBe(0);
    // The real thing: no memory, 20 GB of JSON.
    const huge = await orch.workflowEngine.executeWorkflow('w', new Array(2 ** 32 - 1)).catch((e) => e);
    expect(huge).toBeInstanceOf(ValidationError);
  });

  it('a step output fails the step (INVALID_OUTPUT, not retried) without reading its items', async () => {
    const { list, reads } = countingArray();
    const orch = await withOrchestrator({ store: 'memory', actions: { big: () => ({ list }) } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'big', retry: true }]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.status).toBe('failed');
    expect(status.steps[0]?.attempts).toBe(1);
    expect(status.error).toEqual({
      code: 'INVALID_OUTPUT',
      message:
        "Step 'big' returned a value too large to store: more than 128 MiB of JSON text, over the limit of 64 MiB",
      step: 'big',
    });
    expect(reads()).toBe(0);
  });
});
