/**
 * `listWorkflows` (and what serves it: GET /v1/workflows, the dashboard) gives the workflows by
 * id in code-unit order — the order of every other listing the engine sorts itself, whatever the
 * process's locale — including definitions read back from a durable store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

const IDS = ['b', 'B', 'a', '_x', 'A1', 'Z', 'x.y', 'x-y', 'x9'];
const CODE_UNIT_ORDER = ['A1', 'B', 'Z', '_x', 'a', 'b', 'x-y', 'x.y', 'x9'];

describe('listWorkflows order', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("lists ids in code-unit order, not the locale's (upper case before lower case, _ between)", async () => {
    const orch = await withOrchestrator({ store: 'memory', actions: { noop2: () => null } });
    for (const id of IDS) await orch.workflowEngine.defineWorkflow(id, [{ name: 's', action: 'noop2' }]);
    expect(orch.workflowEngine.listWorkflows().map((w) => w.id)).toEqual(CODE_UNIT_ORDER);
  });

  it('lists definitions read back from a SQLite store in the same order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'list-order-'));
    dirs.push(dir);
    const store = `sqlite:${join(dir, 'o.sqlite')}`;
    const first = await createOrchestrator({ store, actions: { noop2: () => null } });
    for (const id of [...IDS].reverse()) {
      await first.workflowEngine.defineWorkflow(id, [{ name: 's', action: 'noop2' }]);
    }
    await first.close();
    const again = await withOrchestrator({ store, actions: { noop2: () => null } });
    expect(again.workflowEngine.listWorkflows().map((w) => w.id)).toEqual(CODE_UNIT_ORDER);
  });
});
