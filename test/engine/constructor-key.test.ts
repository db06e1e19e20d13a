/**
 * Data with a `constructor` key (a record from an API) and a step named `constructor` go through
 * the engine like any other, on every store: expressions over them used to fail the step with
 * `EXPRESSION_ERROR` ("Unsupported type: object"), since the expression library typed an object by
 * its `constructor` property.
 */
import { describe, expect, it } from 'vitest';
import { ALL_STORE_KINDS, anyStoreUrl } from '../helpers/all-stores.js';
import { runToEnd, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(ALL_STORE_KINDS)('a constructor key in data and step names (%s store)', (kind) => {
  it('is read by conditions and input expressions', async () => {
    const seen: unknown[] = [];
    const orch = await withOrchestrator({
      store: await anyStoreUrl(kind),
      actions: {
        constructor: (input: unknown) => ({ constructor: { name: 'Ferrari' }, in: input }),
        show: (input) => {
          seen.push(input);
          return input;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'constructor' },
      { name: 'check', condition: "result.constructor.name == 'Ferrari'", else: 'end' },
      { name: 'show', input: "{'team': steps.constructor.output.constructor.name, 'race': input}" },
      { name: 'end', action: 'noop' },
    ]);
    const status = await runToEnd(orch, 'w', { constructor: 'x', round: 3 });
    expect(status.error).toBeUndefined();
    expect(status.status).toBe('completed');
    expect(status.steps.find((s) => s.name === 'check')?.decision).toBe('then');
    expect(seen).toEqual([{ team: 'Ferrari', race: { constructor: 'x', round: 3 } }]);
    expect(status.outputData.constructor).toEqual({
      constructor: { name: 'Ferrari' },
      in: { constructor: 'x', round: 3 },
    });
  });
});
