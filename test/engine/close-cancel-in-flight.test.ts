/**
 * A `cancelWorkflow` that stopped a running execution whose runner then let it go unfinished for
 * a `close()` (the close came while the runner waited for a write, before it could apply the
 * cancel) was answered `false` and not stored: the next start ran the execution on to its end.
 * Now the cancel is stored as a request before the call answers (`false`: this node closes), and
 * the next start applies it.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createOrchestrator, SqliteStore } from '../../src/index.js';
import type { ExecutionUpdate } from '../../src/store/store.js';
import { gate, silentLogger, tempDir } from '../helpers/orchestrator.js';

/** A SQLite store whose write of step `first`'s completion waits until released. */
class HeldWrite extends SqliteStore {
  readonly reached = gate();
  readonly release = gate();
  override async update(update: ExecutionUpdate): Promise<void> {
    if (update.steps?.some((s) => s.name === 'first' && s.status === 'completed')) {
      this.reached.open();
      await this.release.promise;
    }
    return super.update(update);
  }
}

it('a cancel whose execution a close halted before it could apply it is stored; the next start cancels it', async () => {
  const file = join(tempDir(), 'store.sqlite');
  const store = new HeldWrite(file);
  let secondRuns = 0;
  const undone: unknown[] = [];
  const handlers = {
    actions: { first: () => 1, second: () => ++secondRuns },
    compensations: { undo: (output: unknown) => undone.push(output) },
  };
  const orch = await createOrchestrator({ store, logger: silentLogger, ...handlers });
  await orch.workflowEngine.defineWorkflow('w', [
    { name: 'first', compensation: 'undo' },
    { name: 'second' },
  ]);
  const id = await orch.workflowEngine.executeWorkflow('w');
  await store.reached.promise;
  const cancelling = orch.workflowEngine.cancelWorkflow(id);
  const closing = orch.close();
  store.release.open();
  // This node closes: it cannot wait for the execution's end, which the next start brings.
  expect(await cancelling).toBe(false);
  await closing;
  expect(secondRuns).toBe(0);

  const again = await createOrchestrator({ store: new SqliteStore(file), logger: silentLogger, ...handlers });
  try {
    const status = await again.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('cancelled');
    expect(status.compensatedSteps).toEqual(['first']);
    expect(undone).toEqual([1]);
    expect(secondRuns).toBe(0);
  } finally {
    await again.close();
  }
});
