/**
 * An execution this node gave up after a store failure, for the retake-* tests: an orchestrator on
 * SQLite (fake clock, housekeeping every second) whose store writes fail while `down()` is true,
 * with one execution of a one-step workflow 'w' submitted and given up after its first failed
 * write (this node's error 'store write failed; execution will be resumed' logged).
 */
import { expect, vi } from 'vitest';
import { FakeClock, type Orchestrator } from '../../src/index.js';
import { memoryLogger, tempSqliteUrl, withOrchestrator } from './orchestrator.js';

export async function givenUpExecution(
  down: () => boolean,
): Promise<{ orch: Orchestrator; clock: FakeClock; id: string }> {
  const clock = new FakeClock();
  const logger = memoryLogger();
  const orch = await withOrchestrator({
    store: tempSqliteUrl(),
    clock,
    sweepInterval: 1,
    logger,
    actions: { quick: () => 'ok' },
  });
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'quick' }]);
  const update = orch.store.update.bind(orch.store);
  vi.spyOn(orch.store, 'update').mockImplementation((u) =>
    down() ? Promise.reject(new Error('connection lost')) : update(u),
  );
  const id = await orch.workflowEngine.executeWorkflow('w');
  const errors = () => logger.lines.filter((l) => l.level === 'error').map((l) => l.msg);
  await vi.waitFor(() => expect(errors()).toContain('store write failed; execution will be resumed'));
  return { orch, clock, id };
}
