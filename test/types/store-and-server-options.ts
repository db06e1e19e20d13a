/**
 * Under `exactOptionalPropertyTypes` (see test/unit/consumer-types.test.ts): the options of the
 * stores, the remote worker hub, the dashboard and `countExecutions`' filter accept `undefined`,
 * as the runtime does, so a value that may be missing passes on without a conditional spread.
 */
import {
  createDashboard,
  type ExecutionState,
  MemoryStore,
  type Orchestrator,
  PostgresStore,
  RemoteWorkerHub,
  SqliteStore,
} from '../../src/index.js';

declare const text: string | undefined;
declare const seconds: number | undefined;
declare const flag: boolean | undefined;
declare const state: ExecutionState | undefined;

export async function storeAndServerOptionsMayBeUndefined(orch: Orchestrator): Promise<void> {
  await orch.workflowEngine.countExecutions({ status: state, workflowId: text });
  new MemoryStore({ maxFinished: seconds });
  new SqliteStore('/tmp/x.sqlite', { synchronous: undefined });
  new PostgresStore('postgres://127.0.0.1/test', {
    schema: text,
    poolSize: seconds,
    writeLanes: seconds,
    idleInTransactionTimeoutMs: seconds,
  });
  new RemoteWorkerHub({
    clock: undefined,
    leaseSeconds: seconds,
    pollSeconds: seconds,
    maxWorkers: seconds,
    maxPollsPerWorker: seconds,
    logger: undefined,
  });
  createDashboard({
    secret: text,
    sessionTtlSeconds: seconds,
    nodes: undefined,
    pageSize: seconds,
    bucketSeconds: seconds,
    windowMinutes: seconds,
    alertWindowMinutes: seconds,
    allowedOrigins: undefined,
    secureCookie: flag,
    maxLoginFailures: seconds,
    now: undefined,
  });
}
