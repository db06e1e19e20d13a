/**
 * A public method refusing an argument heads its ValidationError with its own name
 * ('Invalid addWorker arguments: id: …'), as the constructors head theirs ('Invalid LoadBalancer
 * options'), instead of the generic 'Invalid input' that named neither the method nor the class
 * (FakeClock, RemoteWorkerHub, PostgresStore.subscribe, the alert webhook and executeWorkflow's
 * inputData were the last to give it).
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../src/balancing/load-balancer.js';
import { FakeClock } from '../../src/clock.js';
import { createOrchestrator } from '../../src/orchestrator.js';
import { PerformanceOptimizer } from '../../src/performance/performance-optimizer.js';
import { ErrorRecovery } from '../../src/recovery/error-recovery.js';
import { RemoteWorkerHub } from '../../src/remote/hub.js';
import { createRemoteWorker } from '../../src/remote/worker-client.js';
import { createAlertWebhook } from '../../src/server/alert-webhook.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { memoryLogger } from '../helpers/orchestrator.js';
import { messageOf } from '../helpers/thrown.js';

describe('headings of public method argument errors', () => {
  it('names the balancer method', () => {
    const balancer = new LoadBalancer({ workers: ['a'] });
    expect(messageOf(() => balancer.addWorker(''))).toBe(
      'Invalid addWorker arguments: id: Expected `id` to be a non-empty string, got ""',
    );
    expect(messageOf(() => balancer.addWorker('a\u0000'))).toMatch(/^Invalid addWorker arguments: id: /);
    expect(messageOf(() => balancer.assignWorkflow(5 as never))).toBe(
      'Invalid assignWorkflow arguments: executionId: Expected `executionId` to be a non-empty string, got 5',
    );
  });

  it('names the balancer method for its other arguments too', () => {
    const balancer = new LoadBalancer({ workers: ['a'] });
    expect(messageOf(() => balancer.setExternalLoad('a', -1))).toMatch(
      /^Invalid setExternalLoad arguments: load: /,
    );
    expect(messageOf(() => balancer.addExternalLoad('a', 0.5))).toMatch(
      /^Invalid addExternalLoad arguments: delta: /,
    );
    expect(messageOf(() => balancer.pickWorker(5 as never))).toMatch(
      /^Invalid pickWorker arguments: avoid: /,
    );
    expect(messageOf(() => balancer.isBalanced(-1))).toMatch(/^Invalid isBalanced arguments: threshold: /);
  });

  it('names the optimizer method', () => {
    const optimizer = new PerformanceOptimizer();
    expect(messageOf(() => optimizer.getStats(5 as never))).toBe(
      'Invalid getStats arguments: workflowId: Expected `workflowId` to be a non-empty string, got 5',
    );
    expect(messageOf(() => optimizer.recordStep('w', '', 1))).toMatch(
      /^Invalid recordStep arguments: step: /,
    );
    expect(messageOf(() => optimizer.recordExecution('w', 'x' as never))).toMatch(
      /^Invalid recordExecution arguments: durationMs: /,
    );
    expect(messageOf(() => optimizer.recordStep('w', 's', 1, { version: 0 }))).toMatch(
      /^Invalid recordStep arguments: info\.version: /,
    );
    expect(messageOf(() => optimizer.suggestOptimization('w', 'x' as never))).toMatch(
      /^Invalid suggestOptimization arguments: avgTimeMs: /,
    );
    expect(messageOf(() => new PerformanceOptimizer({ slowThreshold: -1 }))).toMatch(
      /^Invalid PerformanceOptimizer options: slowThreshold: /,
    );
  });

  it('names the recovery method', async () => {
    const recovery = new ErrorRecovery();
    expect(messageOf(() => recovery.getAttempts(''))).toMatch(/^Invalid getAttempts arguments: stepName: /);
    await expect(recovery.compensate('s', ['a', ''])).rejects.toThrow(
      /^Invalid compensate arguments: completedSteps\[1\]: /,
    );
    expect(messageOf(() => recovery.getBackoffDelay(0))).toMatch(
      /^Invalid getBackoffDelay arguments: retryNumber: /,
    );
    await expect(recovery.retryStep('s', 5 as never)).rejects.toThrow(/^Invalid retry options: options: /);
    expect(messageOf(() => new ErrorRecovery(5 as never))).toMatch(
      /^Invalid ErrorRecovery options: options: /,
    );
    await expect(recovery.compensate('s', 'a' as never)).rejects.toThrow(
      /^Invalid compensate arguments: completedSteps: /,
    );
  });

  it('names the FakeClock method', async () => {
    expect(messageOf(() => new FakeClock(Number.NaN))).toBe(
      'Invalid FakeClock arguments: start: Expected `start` to be a finite number of milliseconds, got NaN',
    );
    const clock = new FakeClock();
    await expect(clock.advance(-1)).rejects.toThrow(/^Invalid advance arguments: ms: /);
    await expect(clock.runAll(1.5)).rejects.toThrow(/^Invalid runAll arguments: limit: /);
  });

  it('names the RemoteWorkerHub class and method', () => {
    expect(messageOf(() => new RemoteWorkerHub({ maxWorkers: 0 }))).toMatch(
      /^Invalid RemoteWorkerHub options: maxWorkers: /,
    );
    expect(messageOf(() => new RemoteWorkerHub({ leaseSeconds: -1 }))).toMatch(
      /^Invalid RemoteWorkerHub options: leaseSeconds: /,
    );
    expect(messageOf(() => new RemoteWorkerHub({ leaseSecond: 5 } as never))).toMatch(
      /^Invalid RemoteWorkerHub options: leaseSecond: /,
    );
    const hub = new RemoteWorkerHub();
    expect(messageOf(() => hub.attach(null as never))).toMatch(/^Invalid attach arguments: host: /);
    expect(messageOf(() => hub.actions([] as never))).toBe(
      'Invalid actions arguments: names: expected a non-empty array of action names, got an empty array',
    );
    expect(messageOf(() => hub.actions(['ok', 'a b']))).toMatch(/^Invalid actions arguments: names\[1\]: /);
    expect(messageOf(() => hub.register({ actions: 5 } as never))).toBe(
      'Invalid register arguments: actions: expected a non-empty array of action names, got 5',
    );
    expect(messageOf(() => hub.register({ actions: ['http'] } as never))).toMatch(
      /^Invalid register arguments: actions\[0\]: /,
    );
  });

  it('names the alert webhook options', () => {
    const logger = memoryLogger();
    expect(messageOf(() => createAlertWebhook({ url: 'not a url', logger }))).toBe(
      "Invalid alert webhook options: alertWebhook: Expected an absolute http(s) URL, got 'not a url'",
    );
    // A URL that does not parse is named by its scheme and host, its credentials masked.
    expect(messageOf(() => createAlertWebhook({ url: 'https//hook:s3cret@alerts.example/x', logger }))).toBe(
      "Invalid alert webhook options: alertWebhook: Expected an absolute http(s) URL, got '***@alerts.example' (its path, query and fragment not shown)",
    );
    expect(messageOf(() => createAlertWebhook({ url: 'file:///tmp/x', logger }))).toMatch(
      /^Invalid alert webhook options: alertWebhook: Expected an http\(s\) URL, got scheme 'file:'/,
    );
    expect(messageOf(() => createAlertWebhook({ url: 'http://a:%zz@h.example/', logger }))).toMatch(
      /^Invalid alert webhook options: alertWebhook: Malformed %-escape/,
    );
  });

  it('names the PostgresStore arguments for a URL parameter the driver does not read', () => {
    expect(messageOf(() => new PostgresStore('postgres://u:secret@127.0.0.1:1/none?foo=1'))).toMatch(
      /^Invalid PostgresStore arguments: url: Cannot use the PostgreSQL URL postgres:\/\/\*\*\*@127\.0\.0\.1:1\/none\?foo=\*\*\*: the parameter "foo" /,
    );
    expect(messageOf(() => new PostgresStore('postgres://127.0.0.1:1/none?schema=x'))).toMatch(
      /^Invalid PostgresStore arguments: url: .*the parameter 'schema' is not read here/,
    );
  });

  it.each([
    ['a malformed %-escape in the password', 'postgres://app:%E0%A4@127.0.0.1:5432/test'],
    ['an ssl file that does not exist', 'postgres://app@127.0.0.1:5432/test?sslrootcert=/nonexistent/ca.pem'],
  ])('names the PostgresStore url the driver cannot read at init (%s)', async (_what, url) => {
    const store = new PostgresStore(url);
    try {
      await expect(store.init()).rejects.toThrow(
        /^Invalid PostgresStore arguments: url: Cannot use the PostgreSQL URL postgres:\/\/[^:]*(\*\*\*)?@127\.0\.0\.1:/,
      );
    } finally {
      await store.close();
    }
  });

  it('names the PostgresStore method', async () => {
    const store = new PostgresStore('postgres://127.0.0.1:1/none');
    await expect(store.subscribe('other' as never, () => {})).rejects.toThrow(
      /^Invalid subscribe arguments: channel: Expected 'work', got "other"$/,
    );
  });

  it('names the execution request for an input no store keeps', async () => {
    const orch = await createOrchestrator({ actions: { a: () => 1 } });
    try {
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
      await expect(orch.workflowEngine.executeWorkflow('w', { n: Number.NaN })).rejects.toThrow(
        /^Invalid execution request: inputData\.n: /,
      );
    } finally {
      await orch.close();
    }
  });

  it('names createRemoteWorker and stop as the other options do', async () => {
    const actions = { a: () => 1 };
    expect(
      messageOf(() =>
        createRemoteWorker({ url: 'http://127.0.0.1:1', token: 't', actions, pollSecond: 1 } as never),
      ),
    ).toMatch(/^Invalid createRemoteWorker options: pollSecond: /);
    expect(
      messageOf(() => createRemoteWorker({ url: 'http://127.0.0.1:1', token: 't', actions, pollSeconds: 0 })),
    ).toMatch(/^Invalid createRemoteWorker options: pollSeconds: /);
    expect(messageOf(() => createRemoteWorker(5 as never))).toBe(
      'Invalid createRemoteWorker options: options: expected an options object, got 5',
    );
    const worker = createRemoteWorker({ url: 'http://127.0.0.1:1', token: 't', actions });
    await expect(worker.stop({ grace: -1 })).rejects.toThrow(/^Invalid stop options: grace: /);
    await expect(worker.stop({ grce: 1 } as never)).rejects.toThrow(/^Invalid stop options: grce: /);
  });
});
