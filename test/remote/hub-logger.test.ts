/**
 * The hub's logger cannot change what the hub does: a logger the hub accepts (one with `warn`, as
 * `createOrchestrator` accepts) whose other methods are missing, or whose reports throw (a closed
 * destination), still registers workers and still fails a silent worker's task with WORKER_LOST.
 */
import { describe, expect, it } from 'vitest';
import { RemoteWorkerNotFoundError } from '../../src/remote/errors.js';
import { finishWithClock } from '../helpers/orchestrator.js';
import { heldTask, remoteSetup } from './helpers.js';

const throwing = () => {
  throw new Error('log destination closed');
};

describe('a RemoteWorkerHub whose logger fails', () => {
  it('registers a worker with a logger that has only warn', async () => {
    const { hub } = await remoteSetup({ hub: { logger: { warn() {} } as never } });
    expect(hub.register({ actions: ['stt'] }).workerId).toMatch(/^rw_/);
    expect(hub.snapshot().workers).toHaveLength(1);
  });

  it("fails a silent worker's task with WORKER_LOST and drops it although every report throws", async () => {
    const logger = { info: throwing, warn: throwing, error: throwing, debug: throwing };
    const { orch, hub, clock, workerId, id } = await heldTask({ name: 'stt' }, { hub: { logger } });
    const status = await finishWithClock(orch, clock, id);
    expect(status.error).toMatchObject({ code: 'WORKER_LOST', step: 'stt' });
    await expect(hub.poll(workerId)).rejects.toThrow(RemoteWorkerNotFoundError);
  });
});
