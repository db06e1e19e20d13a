/**
 * `waitForCompletion` on an execution this node does not run yet reads the store until it ends.
 * When the node took it up meanwhile (another node placed it here, or a failover), that read could
 * show the end its runner had just stored but not yet told: the wait resolved before this node's
 * `execution.finished` event. It now awaits the runner whenever the node runs the execution.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ExecutionSnapshot, ExecutionUpdate } from '../../src/store/store.js';
import { TERMINAL_STATES } from '../../src/types.js';
import { tempDir } from '../helpers/orchestrator.js';
import { placedExecution } from '../store/records.js';

it('resolves after the execution.finished event of an execution this node took up while it waited', async () => {
  const clock = new FakeClock();
  const file = join(tempDir(), 'store.sqlite');
  const store = new SqliteStore(file);
  // The wait's first read of `placed` is answered only once its end is stored, and before the
  // runner goes on to tell it (the runner's write returns a turn later).
  let answerRead: (() => void) | null = null;
  const read = store.getExecution.bind(store);
  store.getExecution = (id: string): Promise<ExecutionSnapshot | null> => {
    if (id !== 'placed' || answerRead !== null) return read(id);
    return new Promise((resolve, reject) => {
      answerRead = () => read(id).then(resolve, reject);
    });
  };
  const write = store.update.bind(store);
  store.update = async (update: ExecutionUpdate): Promise<void> => {
    await write(update);
    const status = update.set?.status;
    if (update.id === 'placed' && status !== undefined && TERMINAL_STATES.has(status)) {
      answerRead?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const orch = await createOrchestrator({
    store,
    clock,
    cluster: true,
    sweepInterval: 0.2,
    actions: { only: () => 1 },
  });
  const other = new SqliteStore(file);
  try {
    await other.init();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'only' }]);
    const order: string[] = [];
    orch.on('execution.finished', (e) => order.push(`finished ${e.executionId}`));
    const now = clock.now();
    await other.createExecution(placedExecution('placed', 'w', orch.nodeId, now, now + 60_000));
    let result: string | null = null;
    const waiting = orch.workflowEngine.waitForCompletion('placed').then((s) => {
      order.push(`waited ${s.status}`);
      result = s.status;
    });
    while (result === null && clock.now() < now + 10_000) await clock.advance(100);
    await waiting;
    expect(answerRead, 'the wait read the store before the node took the execution up').not.toBeNull();
    expect(order).toEqual(['finished placed', 'waited completed']);
  } finally {
    await orch.close();
    await other.close();
  }
});
