/**
 * A workflow input too large to store (over MAX_OUTPUT_TEXT characters of JSON text, the limit a
 * step output has) is refused by `executeWorkflow` with a `ValidationError`, on every store. It
 * used to be accepted: a step that passed it on (`noop`) then failed with INVALID_OUTPUT, and
 * past what a string can hold (512 MiB) the memory store took what the SQL stores failed to
 * write with a bare RangeError.
 */
import { describe, expect, it } from 'vitest';
import { MAX_OUTPUT_TEXT } from '../../src/engine/action-step.js';
import { ValidationError } from '../../src/index.js';
import { ALL_STORE_KINDS, anyStoreUrl } from '../helpers/all-stores.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

const MIB = 1024 * 1024;

describe.each(ALL_STORE_KINDS)('workflow input size (%s store)', (kind) => {
  it('refuses an input over the limit, storing nothing', async () => {
    const half = 'x'.repeat(MAX_OUTPUT_TEXT / 2 + MIB); // the same string twice: counted twice, as in JSON
    const orch = await withOrchestrator({ store: await anyStoreUrl(kind) });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'echo', action: 'noop' }]);
    const refusal = await orch.workflowEngine
      .executeWorkflow('w', { first: half, second: [half] })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).issues).toEqual([
      {
        path: 'inputData',
        message: 'is too large to store: about 66 MiB of JSON text, over the limit of 64 MiB',
      },
    ]);
    expect(await orch.workflowEngine.countExecutions()).toBe(0);
    const small = await orch.workflowEngine.executeWorkflow('w', { first: 'x'.repeat(MIB) });
    expect((await orch.workflowEngine.waitForCompletion(small)).status).toBe('completed');
  });
});
