/**
 * `orchestrator performance` shows the time a step waited for a remote worker (QUEUED), as the
 * dashboard's Queued column and `--json`'s `queueAvg` do; the column is left out when no step
 * waited (a workflow of local actions never does).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock, RemoteWorkerHub } from '../../src/index.js';
import { finishWithClock, withOrchestrator } from '../helpers/orchestrator.js';
import { nextTask } from '../remote/helpers.js';
import { cli, tempStore } from './fixtures/cli-harness.js';

const store = tempStore('orch-cli-perf-queued-');
afterAll(() => store.remove());

describe('orchestrator performance of a step a remote worker runs', () => {
  it('has a QUEUED column with the wait for a worker', async () => {
    const clock = new FakeClock();
    const hub = new RemoteWorkerHub({ clock, leaseSeconds: 600 });
    const orch = await withOrchestrator({
      clock,
      store: store.url,
      actions: { ...hub.actions(['stt']), local: () => 'done' },
    });
    await orch.workflowEngine.defineWorkflow('voice', [{ name: 'stt' }, { name: 'local' }]);
    const id = await orch.workflowEngine.executeWorkflow('voice');
    await clock.advance(2_000);
    const { workerId } = hub.register({ actions: ['stt'] });
    hub.complete(workerId, (await nextTask(hub, workerId)).taskId, { text: 'hi' });
    expect((await finishWithClock(orch, clock, id)).status).toBe('completed');
    hub.close();
    await orch.close();

    const r = await cli(['performance', 'voice', '--store', store.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^STEP\s+RUNS\s+AVG\s+P95\s+WAITING\s+QUEUED\s+COMPENSATION\s+RETRIES\s+FAILURES\s+SHARE$/m,
    );
    expect(r.stdout).toMatch(/^stt\s+1\s+2\.00 s\s+2\.00 s\s+0 ms\s+2\.00 s\s+-\s+0\s+0\s+/m);
    expect(r.stdout).toMatch(/^local\s+1\s+0 ms\s+0 ms\s+0 ms\s+0 ms\s+-\s+0\s+0\s+/m);
  });
});
