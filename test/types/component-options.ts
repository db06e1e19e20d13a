/**
 * The components' options and arguments, given values that may be missing, as a consumer under
 * `exactOptionalPropertyTypes` passes them on (see consumer-options.ts): what the runtime treats
 * as absent when it is `undefined` is typed to accept `undefined`.
 */
import {
  buildApp,
  createOrchestrator,
  ErrorRecovery,
  LoadBalancer,
  PerformanceOptimizer,
  type PrometheusOptions,
  type StepRunInfo,
} from '../../src/index.js';

declare const list: string[] | undefined;
declare const ms: number | undefined;
declare const flag: boolean | undefined;
declare const text: string | undefined;

export function componentOptionsMayBeUndefined(): void {
  const balancer = new LoadBalancer({ workers: list, onReassign: undefined });
  balancer.isBalanced(ms);
  const optimizer = new PerformanceOptimizer({
    slowThreshold: ms,
    maxWorkflows: ms,
    maxStepsPerWorkflow: ms,
    maxStepSeries: ms,
  });
  optimizer.recordExecution('w', 10, ms);
  const info: StepRunInfo = {
    timeoutMs: ms,
    retried: flag,
    failed: flag,
    attemptMs: ms,
    parent: text,
    waitMs: ms,
    queuedMs: ms,
    version: ms,
  };
  optimizer.recordStep('w', 's', 10, info);
  optimizer.recordCompensation('w', 's', 10, { version: ms });
}

export function prometheusOptionsMayBeUndefined(): PrometheusOptions {
  return { prefix: text, defaultMetrics: flag };
}

export async function recoveryAndAppOptionsMayBeUndefined(): Promise<void> {
  const recovery = new ErrorRecovery({ baseDelay: ms, multiplier: ms, maxDelay: ms, sleep: undefined });
  await recovery.retryStep('s', { maxAttempts: ms });
  const orch = await createOrchestrator({ store: 'memory' });
  const app = await buildApp(orch, {
    token: 't'.repeat(32),
    logger: undefined,
    bodyLimit: ms,
    nodes: undefined,
    prometheus: undefined,
    plugins: undefined,
    apiVersion: text,
    remoteWorkers: undefined,
  });
  await app.close();
}
