/**
 * `orchestrator workers` lists the remote workers registered with each live node, as its last
 * heartbeat listed them — the registrations live only in that node's memory, and the CLI reads the
 * store: a row per worker (id, name, node, actions, tasks, polls, last seen) and, in `--json`,
 * `remoteWorkers` per node. A node that stopped takes its workers with it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { remoteWorkerHubFor } from '../../src/remote/hub.js';
import { until } from '../helpers/orchestrator.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore('orch-cli-remote-');
afterAll(() => store.remove());

describe('orchestrator workers with remote workers', () => {
  it("lists each live node's remote workers, and none once the node stopped", async () => {
    const orch = await createOrchestrator({ store: store.url, sweepInterval: 0.05 });
    try {
      const hub = remoteWorkerHubFor(orch);
      const { workerId } = hub.register({ name: 'py-stt', actions: ['stt', 'tts'] });
      await until(async () => {
        const [node] = await orch.store.listNodes();
        return (node?.info.remoteWorkers as { count?: number } | undefined)?.count === 1;
      });
      const [human, machine] = await Promise.all([
        cli(['workers', '--store', store.url]),
        cli(['workers', '--store', store.url, '--json']),
      ]);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/^REMOTE WORKER\s+NAME\s+NODE\s+ACTIONS\s+TASKS\s+POLLING\s+LAST SEEN$/m);
      expect(human.stdout).toMatch(
        new RegExp(`^${workerId}\\s+py-stt\\s+${orch.nodeId}\\s+stt, tts\\s+0\\s+0\\s+\\S+ (ms|s) ago$`, 'm'),
      );
      expect(human.stdout).toContain(
        'REMOTE WORKER: those registered with each live node, as of its last heartbeat',
      );
      expect(machine.code, machine.stderr).toBe(0);
      expect(parseJson<{ remoteWorkers: unknown }>(machine.stdout).remoteWorkers).toEqual([
        {
          node: orch.nodeId,
          count: 1,
          workers: [
            {
              id: workerId,
              name: 'py-stt',
              actions: ['stt', 'tts'],
              heldTasks: 0,
              polling: 0,
              lastSeen: expect.any(Number),
            },
          ],
        },
      ]);

      // Past what a heartbeat lists: the count, and where the list is.
      for (let i = 0; i < 100; i++) hub.register({ actions: ['stt'] });
      await until(async () => {
        const [node] = await orch.store.listNodes();
        return (node?.info.remoteWorkers as { count?: number } | undefined)?.count === 101;
      });
      const many = await cli(['workers', '--store', store.url]);
      expect(many.code, many.stderr).toBe(0);
      expect(many.stdout).toContain(
        `Node ${orch.nodeId}: 101 remote workers, more than its heartbeat lists; GET /v1/remote-workers on it lists them.`,
      );
      expect(many.stdout).not.toMatch(/^REMOTE WORKER\s+NAME/m);
    } finally {
      await orch.close();
    }
    const after = await cli(['workers', '--store', store.url, '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect(parseJson<{ remoteWorkers: unknown }>(after.stdout).remoteWorkers).toEqual([]);
  });
});
