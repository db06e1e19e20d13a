/**
 * A consumer of the package under `exactOptionalPropertyTypes`, compiled by
 * test/unit/consumer-types.test.ts (and, without that flag, by `tsc -p tsconfig.test.json`): every
 * option the runtime treats as absent when it is `undefined` is typed to accept `undefined`, so a
 * value that may be missing can be passed on without a cast or a conditional spread.
 */
import {
  createOrchestrator,
  createRemoteWorker,
  type RetryOptions,
  type StepDefinition,
  type WorkflowOptions,
} from '../../src/index.js';

declare const text: string | undefined;
declare const seconds: number | undefined;
declare const flag: boolean | undefined;

export async function optionsMayBeUndefined(): Promise<void> {
  const orch = await createOrchestrator({
    store: text,
    maxConcurrentWorkflows: seconds,
    workflowTimeout: seconds,
    retryAttempts: seconds,
    retryDelay: seconds,
    enableWorkflowPersistence: flag,
    enableCompensation: flag,
    workers: undefined,
    nodeId: text,
    logger: undefined,
    clock: undefined,
    actions: undefined,
    compensations: undefined,
    on: undefined,
    alerts: { executionTimeMs: seconds, failureRate: seconds, minSamples: seconds, cooldown: seconds },
  });
  const retry: RetryOptions = {
    maxAttempts: seconds,
    initialDelay: seconds,
    backoffCoefficient: seconds,
    maxDelay: seconds,
    nonRetryable: undefined,
  };
  const steps: StepDefinition[] = [
    { name: 'a', action: text, timeout: seconds, retry, compensation: text, input: text },
    // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
    { name: 'c', condition: 'true', then: text, else: text },
    { name: 'p', parallel: [{ name: 'b', retry: flag }], timeout: seconds, compensation: text },
  ];
  const options: WorkflowOptions = { timeout: seconds, description: text };
  await orch.workflowEngine.defineWorkflow('w', steps, options);
  const id = await orch.workflowEngine.executeWorkflow('w', {}, { idempotencyKey: text });
  await orch.workflowEngine.waitForCompletion(id, { timeout: seconds });
  await orch.workflowEngine.listExecutions({
    status: undefined,
    workflowId: text,
    limit: seconds,
    offset: seconds,
  });
  await orch.close({ grace: seconds });

  const worker = createRemoteWorker({
    url: 'http://127.0.0.1:8080',
    urls: undefined,
    token: 'a-token-of-enough-length-0123456789',
    actions: { a: () => 1 },
    concurrency: seconds,
    name: text,
    pollSeconds: seconds,
    requestTimeoutSeconds: seconds,
    logger: undefined,
  });
  await worker.stop({ grace: seconds });
}
