/**
 * The Prometheus adapter (DESIGN §3.5: observability is events plus metrics; Prometheus is an
 * adapter). It listens to an orchestrator's events and keeps prom-client metrics in a registry
 * of its own (never the global one), and reads gauges (executions by status, queue depth,
 * worker load) from the orchestrator when scraped.
 *
 * Families (prefix `orchestrator_` by default):
 * `executions_started_total{workflow}`, `executions_finished_total{workflow,status}`,
 * `executions_by_status{workflow,status}`, `execution_duration_seconds{workflow,status}`,
 * `step_duration_seconds{workflow,step,outcome}`, `step_retries_total{workflow,step}`,
 * `compensations_total{workflow,step,result}`, `alerts_total{type,severity}`, `queue_depth`,
 * `running_executions`, `worker_load{worker}`, `load_balance_score`.
 * @module
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type Clock, systemClock } from '../clock.js';
import type { EventName, Listener } from '../events.js';
import { EXECUTION_STATES } from '../types.js';
import { within } from '../within.js';
import type { MetricsSnapshot } from './metrics.js';

/** What the exporter reads from; an `Orchestrator` fits. */
export interface PrometheusSource {
  on<E extends EventName>(event: E, listener: Listener<E>): unknown;
  off<E extends EventName>(event: E, listener: Listener<E>): unknown;
  getMetrics(workflowId?: string): MetricsSnapshot;
  getLocalLoad(): { running: number; queued: number };
  readonly workflowEngine: {
    listWorkflows(): ReadonlyArray<{ id: string }>;
    /** Reads definitions other nodes sharing the store added, so that they are labelled too. */
    refreshWorkflows?(): Promise<void>;
  };
  readonly loadBalancer: { getLoadDistribution(): Record<string, number>; balanceScore(): number };
}

/** Options of {@link PrometheusExporter}. */
export interface PrometheusOptions {
  /** Prefix of every metric name. @default 'orchestrator_' */
  prefix?: string | undefined;
  /** Also export prom-client's process metrics (CPU, memory, event loop lag). @default false */
  defaultMetrics?: boolean | undefined;
}

/** What {@link PrometheusExporter} takes from `buildApp` besides the options. */
export interface ExporterContext {
  /**
   * The workflow of each execution running on the source as the exporter attaches (see
   * `startedWorkflowIds`): their `execution.started` came before it listened (executions resumed
   * as the orchestrator started, before `buildApp`), and they are counted as started, so that
   * each execution that runs here is counted started once and finished once. (The difference of
   * the two is not the executions in flight: one cancelled or timed out while still queued never
   * started and is counted finished only; `running_executions` and `queue_depth` are the gauges.)
   */
  running?: Iterable<string>;
  /**
   * The alerts the source raised before the exporter listened, by type and severity (see
   * `raisedAlertCounts`; those of executions resumed as the orchestrator started): counted in
   * `alerts_total`, so that it counts every alert of the orchestrator's life once.
   */
  raisedAlerts?: Iterable<{ type: string; severity: string; count: number }>;
  /** The orchestrator's clock, which bounds the wait for the definitions' re-read. @default the system clock */
  clock?: Clock;
}

/**
 * How long a scrape waits for the re-read of the stored definitions before it labels the
 * workflows the node knows (the read goes on, and a later scrape lists what it found): a store
 * that does not answer took each scrape past Prometheus' default scrape timeout (10 s).
 */
export const DEFINITIONS_WAIT_MS = 1000;

/** Bucket bounds in seconds, from 5 ms (orchestration overhead) to 10 min (long AI steps). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * The process metrics (`defaultMetrics`), one registry per prefix for the whole process:
 * prom-client's collectors (an event-loop-delay monitor, a GC observer) can never be stopped, and
 * one made per exporter kept its registry, and through the registry's gauges its orchestrator, in
 * memory after both closed.
 */
const processRegistries = new Map<string, Registry>();

function processRegistry(prefix: string): Registry {
  let registry = processRegistries.get(prefix);
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix });
    processRegistries.set(prefix, registry);
  }
  return registry;
}

/** Prometheus metrics of one orchestrator, in a registry of their own. */
export class PrometheusExporter {
  /** The registry holding every metric of this exporter (the process metrics aside). */
  readonly registry = new Registry();
  /** The process's metrics, when asked for (shared: see {@link processRegistry}). */
  private readonly process: Registry | null;
  private readonly detachers: Array<() => void> = [];

  constructor(source: PrometheusSource, options: PrometheusOptions = {}, context: ExporterContext = {}) {
    const clock = context.clock ?? systemClock;
    const p = options.prefix ?? 'orchestrator_';
    const registers = [this.registry];
    this.process = options.defaultMetrics ? processRegistry(p) : null;

    const started = new Counter({
      name: `${p}executions_started_total`,
      help: 'Executions that took a slot (resumed ones included)',
      labelNames: ['workflow'],
      registers,
    });
    for (const workflow of context.running ?? []) started.inc({ workflow });
    const finished = new Counter({
      name: `${p}executions_finished_total`,
      help: 'Executions that reached a terminal state, by status',
      labelNames: ['workflow', 'status'],
      registers,
    });
    const executionDuration = new Histogram({
      name: `${p}execution_duration_seconds`,
      help: 'Time from its start (taking a slot) to its terminal state; the wait in the queue is not included, and one that ended while queued is not observed',
      labelNames: ['workflow', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    const stepDuration = new Histogram({
      name: `${p}step_duration_seconds`,
      help: 'Duration of a step, by outcome: a completed step from its first attempt (retries and their waits included), a failed attempt by itself',
      labelNames: ['workflow', 'step', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    const retries = new Counter({
      name: `${p}step_retries_total`,
      help: 'Step attempts that failed and were scheduled to run again',
      labelNames: ['workflow', 'step'],
      registers,
    });
    const compensations = new Counter({
      name: `${p}compensations_total`,
      help: 'Compensation runs by result (completed, failed for good, or failed and retried)',
      labelNames: ['workflow', 'step', 'result'],
      registers,
    });
    const alerts = new Counter({
      name: `${p}alerts_total`,
      help: 'Alerts raised',
      labelNames: ['type', 'severity'],
      registers,
    });
    new Gauge({
      name: `${p}executions_by_status`,
      help: "Executions per workflow and status in the store (this process's live, other processes' re-read in the background)",
      labelNames: ['workflow', 'status'],
      registers,
      async collect() {
        await within(
          source.workflowEngine.refreshWorkflows?.() ?? Promise.resolve(),
          DEFINITIONS_WAIT_MS,
          clock,
        );
        this.reset();
        for (const { id } of source.workflowEngine.listWorkflows()) {
          const counts = source.getMetrics(id).executions;
          for (const status of EXECUTION_STATES) this.set({ workflow: id, status }, counts[status] ?? 0);
        }
      },
    });
    new Gauge({
      name: `${p}queue_depth`,
      help: 'Executions waiting for a slot on this node',
      registers,
      collect() {
        this.set(source.getLocalLoad().queued);
      },
    });
    new Gauge({
      name: `${p}running_executions`,
      help: 'Executions running on this node',
      registers,
      collect() {
        this.set(source.getLocalLoad().running);
      },
    });
    new Gauge({
      name: `${p}worker_load`,
      help: 'Active executions per worker (load balancer)',
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        for (const [worker, active] of Object.entries(source.loadBalancer.getLoadDistribution())) {
          this.set({ worker }, active);
        }
      },
    });
    new Gauge({
      name: `${p}load_balance_score`,
      help: 'Balance of worker load, 0..1 (1: as even as whole executions allow)',
      registers,
      collect() {
        this.set(source.loadBalancer.balanceScore());
      },
    });

    this.listen(source, 'execution.started', (e) => started.inc({ workflow: e.workflowId }));
    this.listen(source, 'execution.finished', (e) => {
      finished.inc({ workflow: e.workflowId, status: e.status });
      // One that ended while queued has no execution time (its wait is not one).
      if (e.ran) executionDuration.observe({ workflow: e.workflowId, status: e.status }, e.durationMs / 1000);
    });
    this.listen(source, 'step.completed', (e) =>
      stepDuration.observe(
        { workflow: e.workflowId, step: e.step, outcome: 'completed' },
        e.durationMs / 1000,
      ),
    );
    this.listen(source, 'step.failed', (e) => {
      stepDuration.observe({ workflow: e.workflowId, step: e.step, outcome: 'failed' }, e.durationMs / 1000);
      if (e.retryAt !== undefined) retries.inc({ workflow: e.workflowId, step: e.step });
    });
    this.listen(source, 'compensation.completed', (e) =>
      compensations.inc({ workflow: e.workflowId, step: e.step, result: 'completed' }),
    );
    this.listen(source, 'compensation.failed', (e) =>
      compensations.inc({ workflow: e.workflowId, step: e.step, result: e.final ? 'failed' : 'retried' }),
    );
    for (const a of context.raisedAlerts ?? []) alerts.inc({ type: a.type, severity: a.severity }, a.count);
    this.listen(source, 'alert', (a) => alerts.inc({ type: a.type, severity: a.severity }));
  }

  /** Content type of {@link metrics}' text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text. */
  metrics(): Promise<string> {
    return (this.process ? Registry.merge([this.registry, this.process]) : this.registry).metrics();
  }

  /** Stops listening to the orchestrator. */
  close(): void {
    for (const detach of this.detachers.splice(0)) detach();
  }

  private listen<E extends EventName>(source: PrometheusSource, event: E, listener: Listener<E>): void {
    source.on(event, listener);
    this.detachers.push(() => source.off(event, listener));
  }
}
