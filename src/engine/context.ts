/**
 * What the runner, the scheduler and the engine facade share: the store, the clock, the
 * components and the event emitter. Built once by `createOrchestrator`.
 * @module
 */

import type { LoadBalancer } from '../balancing/load-balancer.js';
import type { Clock } from '../clock.js';
import type { CompiledConfig, Logger } from '../config.js';
import type { TypedEmitter } from '../events.js';
import type { AlertMonitor } from '../monitoring/alerts.js';
import type { Metrics } from '../monitoring/metrics.js';
import type { PerformanceOptimizer } from '../performance/performance-optimizer.js';
import type { ErrorRecovery } from '../recovery/error-recovery.js';
import type { Store } from '../store/store.js';
import type { ActionRegistry } from './action-registry.js';

export interface EngineContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: CompiledConfig;
  readonly nodeId: string;
  /** Cluster mode: nodes are the balancer's workers and executions are placed across nodes. */
  readonly cluster: boolean;
  /** Ids being created by this node (stored but not yet handed to the scheduler). */
  readonly creating: Set<string>;
  readonly actions: ActionRegistry;
  readonly errorRecovery: ErrorRecovery;
  readonly loadBalancer: LoadBalancer;
  readonly optimizer: PerformanceOptimizer;
  readonly metrics: Metrics;
  readonly alerts: AlertMonitor;
  readonly events: TypedEmitter;
  readonly logger: Logger;
  /** Set by `close({ grace })`: runners start no new step and leave the execution to recovery. */
  readonly lifecycle: { draining: boolean };
}
