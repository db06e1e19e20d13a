/**
 * The CLI's store client (`status`, `list`, `cancel`) compiles only the versions whose plan a
 * status needs: the first status of a workflow compiled every stored version of it, so one
 * `orchestrator status` of a workflow redefined hundreds of times compiled hundreds of plans.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreClient } from '../../../src/cli/store-client.js';
import * as plan from '../../../src/definition/plan.js';
import { createOrchestrator } from '../../../src/index.js';
import { tempSqliteUrl } from '../../helpers/orchestrator.js';
import { storeDefinitionBody } from '../../helpers/stored-definition.js';

vi.mock(import('../../../src/definition/plan.js'), async (importOriginal) => {
  const original = await importOriginal();
  return { ...original, compilePlan: vi.fn(original.compilePlan) };
});

let client: StoreClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

describe('StoreClient.plan', () => {
  it('compiles the asked version only, once; a version it cannot read has no plan', async () => {
    const store = tempSqliteUrl();
    const orch = await createOrchestrator({ store, actions: { a: () => 1 } });
    for (let v = 1; v <= 5; v++)
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }], { timeout: v });
    await orch.close();
    storeDefinitionBody(store, 'w', 3, [{ name: 'a', awaitSignal: 'approved' }]);

    const compiled = vi.mocked(plan.compilePlan);
    compiled.mockClear();
    client = await StoreClient.open(store);
    expect((await client.plan('w', 2))?.timeoutMs).toBe(2000);
    expect((await client.plan('w', 2))?.timeoutMs).toBe(2000);
    expect((await client.plan('w', 5))?.timeoutMs).toBe(5000);
    expect(compiled.mock.calls.map(([def]) => `${def.id}@${def.version}`)).toEqual(['w@2', 'w@5']);
    expect(await client.plan('w', 3)).toBeUndefined();
    expect(await client.plan('w', 9)).toBeUndefined();
    expect(await client.plan('other', 1)).toBeUndefined();
  });
});
