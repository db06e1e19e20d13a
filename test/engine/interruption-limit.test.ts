/**
 * `maxStepInterruptions`: a step run cut short that many times (here by closing the node while
 * it runs, as a crash would) fails with INTERRUPTION_LIMIT instead of running again; 0 means no
 * limit; the built-in `delay`, which waits across restarts by design, has none. The crash loop
 * with real processes and SIGKILL is test/recovery/crash-loop.test.ts.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { interruptionLimitError } from '../../src/engine/step-records.js';
import { type OrchestratorOptions, RemoteWorkerHub } from '../../src/index.js';
import { gate, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

/** A node whose step `hang` runs until the node closes; `calls` counts its runs. */
async function node(store: string, options: OrchestratorOptions, calls: { n: number }, started = gate()) {
  const orch = await withOrchestrator({
    store,
    ...options,
    actions: {
      hang: async (_input, ctx) => {
        calls.n++;
        started.open();
        await new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        );
      },
    },
  });
  return { orch, started };
}

describe('maxStepInterruptions', () => {
  it('fails a step cut short that many times, without running it again', async () => {
    const store = tempSqliteUrl();
    const calls = { n: 0 };
    const first = await node(store, { maxStepInterruptions: 2 }, calls);
    await first.orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const id = await first.orch.workflowEngine.executeWorkflow('w');
    await first.started.promise;
    await first.orch.close();
    const second = await node(store, { maxStepInterruptions: 2 }, calls);
    await second.started.promise;
    await second.orch.close();
    expect(calls.n).toBe(2);

    const third = await node(store, { maxStepInterruptions: 2 }, calls);
    const status = await third.orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(calls.n).toBe(2);
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'INTERRUPTION_LIMIT', step: 'hang' });
    const step = status.steps[0]!;
    expect((step.history ?? []).map((a) => a.error?.code)).toEqual([
      'INTERRUPTED',
      'INTERRUPTED',
      'INTERRUPTION_LIMIT',
    ]);
  });

  it('with 0, runs a step again however often it was cut short', async () => {
    const store = tempSqliteUrl();
    const calls = { n: 0 };
    let current = await node(store, { maxStepInterruptions: 0 }, calls);
    await current.orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const id = await current.orch.workflowEngine.executeWorkflow('w');
    for (let i = 0; i < 3; i++) {
      await current.started.promise;
      await current.orch.close();
      current = await node(store, { maxStepInterruptions: 0 }, calls);
    }
    await current.started.promise;
    expect(calls.n).toBe(4);
    expect((await current.orch.workflowEngine.getExecutionStatus(id))?.status).toBe('running');
  });

  it('does not limit the built-in delay, which waits across restarts', async () => {
    const store = tempSqliteUrl();
    const open = () => withOrchestrator({ store, maxStepInterruptions: 1 });
    let orch = await open();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'wait', action: 'delay', input: "{'seconds': 0.6}" },
      { name: 'done', action: 'noop' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    for (let i = 0; i < 3; i++) {
      await orch.close();
      orch = await open();
    }
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(
      (status.steps[0]!.history ?? []).filter((a) => a.error?.code === 'INTERRUPTED').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('names the step, the count and the limit; 0 and counts under the limit give no error', () => {
    expect(interruptionLimitError("Step 'x'", 3, 3)?.message).toBe(
      "Step 'x' was cut short 3 times by its process stopping while it ran (maxStepInterruptions: 3); it is not run again",
    );
    expect(interruptionLimitError("Step 'x'", 2, 3)).toBeNull();
    expect(interruptionLimitError("Step 'x'", 1000, 0)).toBeNull();
  });
});

describe('maxStepInterruptions and store failures', () => {
  it('does not count a step run again after a failed write on the same node as an interruption', async () => {
    // The process never stops: the completion write of `a` fails twice, the node gives the
    // execution up and takes it up again each time, and `a` runs again. Not interrupted by a
    // process stopping: the limit (1) is not reached, the execution completes.
    let failures = 2;
    let runs = 0;
    const orch = await withOrchestrator({
      store: tempSqliteUrl(),
      maxStepInterruptions: 1,
      sweepInterval: 0.05,
      leaseSeconds: 1,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
      actions: {
        a: () => {
          runs++;
          return 'ok';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b', action: 'a' }]);
    const update = orch.store.update.bind(orch.store);
    vi.spyOn(orch.store, 'update').mockImplementation((u) => {
      if (failures === 0 || !u.steps?.some((s) => s.name === 'a' && s.status === 'completed'))
        return update(u);
      failures--;
      return Promise.reject(new Error('connection lost'));
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(failures).toBe(0);
    expect(runs).toBe(4);
    expect(status.status).toBe('completed');
    expect(status.error).toBeUndefined();
  });
});

describe('maxStepInterruptions and remote workers', () => {
  it('counts a restart while a remote step waits for a worker (docs/remote-workers.md)', async () => {
    const store = tempSqliteUrl();
    const open = () =>
      withOrchestrator({
        store,
        maxStepInterruptions: 2,
        actions: new RemoteWorkerHub().actions(['stt']),
      });
    let orch = await open();
    await orch.workflowEngine.defineWorkflow('w', [{ name: 's', action: 'stt' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const queued = async () =>
      vi.waitFor(async () =>
        expect((await orch.workflowEngine.getExecutionStatus(id))?.steps[0]?.status).toBe('running'),
      );
    for (let i = 0; i < 2; i++) {
      await queued();
      await orch.close();
      orch = await open();
    }
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.error).toMatchObject({ code: 'INTERRUPTION_LIMIT', step: 's' });
  });
});

describe('maxStepInterruptions and the built-in http action', () => {
  it('does not limit it: it cannot take its process down (README, Guarantees)', async () => {
    // Requests hang until the third, which is answered.
    let requests = 0;
    const hanging: ServerResponse[] = [];
    const server = createServer((_req, res) => {
      requests++;
      if (requests < 3) hanging.push(res);
      else res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          for (const res of hanging) res.destroy();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    const store = tempSqliteUrl();
    const open = () => withOrchestrator({ store, maxStepInterruptions: 1, httpAllowlist: ['127.0.0.1'] });
    let orch = await open();
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'call', action: 'http', input: `{'url': 'http://127.0.0.1:${port}/', 'timeout': 30}` },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    for (let i = 1; i <= 2; i++) {
      await vi.waitFor(() => expect(requests).toBe(i));
      await orch.close();
      orch = await open();
    }
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(requests).toBe(3);
  });
});
