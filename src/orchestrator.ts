/**
 * `createOrchestrator`: config → store → components → handlers → recovery of unfinished work.
 * @module
 */

import { createHttpAction } from './actions/http-action.js';
import { LoadBalancer } from './balancing/load-balancer.js';
import { OffsetClock, systemClock } from './clock.js';
import type { CompiledConfig, Config, Logger } from './config.js';
import { compileConfig, configShapeIssue } from './config.js';
import { CONFIG_KEYS } from './config-schema.js';
import { MAX_SECONDS as MAX_GRACE_SECONDS } from './definition/schema.js';
import { describeValue } from './describe-value.js';
import { ActionRegistry, checkHandlerRegistration, noopAction } from './engine/action-registry.js';
import { NodeHandlers } from './engine/capable-nodes.js';
import { ClockAlignment } from './engine/clock-alignment.js';
import type { EngineContext } from './engine/context.js';
import { DefinitionRegistry } from './engine/definitions.js';
import { HeartbeatExtras } from './engine/heartbeat-extras.js';
import { LeaseKeeper } from './engine/lease-keeper.js';
import { readOwnedAtStart } from './engine/owned-at-start.js';
import { ownerKnownDead } from './engine/owners.js';
import { OwedWrites, writeOwed } from './engine/persist.js';
import { Scheduler } from './engine/scheduler.js';
import { WorkflowEngine } from './engine/workflow-engine.js';
import { type Issue, toError, ValidationError } from './errors.js';
import type { EventName, Listener } from './events.js';
import { eventNameProblem, LISTENER_WARNING_LIMIT, TypedEmitter } from './events.js';
import { guardedLogger } from './guarded-logger.js';
import { newNodeId } from './local-owners.js';
import { createDefaultLogger } from './logger.js';
import type { Alert } from './monitoring/alerts.js';
import { type AlertCount, AlertMonitor } from './monitoring/alerts.js';
import type { MetricsSnapshot } from './monitoring/metrics.js';
import { Metrics } from './monitoring/metrics.js';
import { checkNonEmptyString } from './non-empty-string.js';
import { PerformanceOptimizer } from './performance/performance-optimizer.js';
import { plainObjectIssue } from './plain-object.js';
import { ErrorRecovery } from './recovery/error-recovery.js';
import { openStore } from './store/open-store.js';
import { emptyAggregates, sumAggregates } from './store/states.js';
import type { NodeRecord, Store, StoreAggregates } from './store/store.js';
import { resolveStoreUrl, storeErrorAt, storeUrlKey } from './store-url.js';
import type { ActionHandler, CompensationHandler } from './types.js';
import { assertReadable, optionsIssues, unreadableIssues } from './unknown-keys.js';
import { within } from './within.js';

/**
 * Every key of `T` optional, an `undefined` value counting as an absent key (as the runtime treats
 * it), also for a consumer compiling with `exactOptionalPropertyTypes`.
 */
type OptionalKeys<T> = { [K in keyof T]?: T[K] | undefined };

/** Options of `createOrchestrator`: config keys plus handlers registered before recovery. */
export interface OrchestratorOptions extends OptionalKeys<Config> {
  /** Step handlers by action name. */
  actions?: Record<string, ActionHandler> | undefined;
  /** Compensation handlers by name. */
  compensations?: Record<string, CompensationHandler> | undefined;
  /**
   * Event listeners by event name, added before recovery: unlike `orch.on` after
   * `createOrchestrator` resolves, they also see the events of executions resumed at start.
   */
  on?: EventListeners | undefined;
}

/** One listener per event name (see {@link OrchestratorOptions.on}). */
export type EventListeners = { [E in EventName]?: Listener<E> };

/** Options of `close`. */
export interface CloseOptions {
  /** Seconds running steps may take to finish before they are stopped (the rest resume on the next start). @default 0 */
  grace?: number | undefined;
}

/**
 * How long `close`, once the grace is over, waits for a store with a server (PostgreSQL) to take
 * the last writes, the release of the leases and its own close, before it asks whether the server
 * answers at all; it waits that long again each time it does, and abandons the store when not.
 */
const STORE_CLOSE_WAIT_MS = 5_000;

/** How long the server of a store slow to close may take to answer a `SELECT 1` (connect included). */
const SERVER_ANSWER_MS = 2_000;

/**
 * Each orchestrator's scheduler and alert monitor, for {@link startedWorkflowIds} and
 * {@link raisedAlertCounts} (not part of the class's API).
 */
const internals = new WeakMap<Orchestrator, { scheduler: Scheduler; alerts: AlertMonitor }>();

/**
 * The workflow of each execution running on `orch` now (it took a slot and `execution.started` was
 * emitted; it has not ended): what a listener attached now missed the start of.
 */
export function startedWorkflowIds(orch: Orchestrator): string[] {
  const scheduler = internals.get(orch)?.scheduler;
  return scheduler ? [...scheduler.startedWorkflowIds()] : [];
}

/**
 * How many alerts of each type and severity `orch` raised so far: what a listener attached now
 * missed (alerts of executions resumed as it started, before `buildApp` attached its exporter).
 */
export function raisedAlertCounts(orch: Orchestrator): AlertCount[] {
  return internals.get(orch)?.alerts.raisedCounts() ?? [];
}

/** A running orchestrator: the four components, metrics, events and life cycle. */
export class Orchestrator {
  /** Defines, runs, follows and cancels workflows. */
  readonly workflowEngine: WorkflowEngine;
  /** The compensation registry (and the seed's retry helpers); a step's `compensation` names an entry. */
  readonly errorRecovery: ErrorRecovery;
  /** Places executions on workers (`status.workerId`). */
  readonly loadBalancer: LoadBalancer;
  /** Execution and step timings, bottlenecks and suggestions, fed by the engine. */
  readonly performanceOptimizer: PerformanceOptimizer;
  /** The validated config. */
  readonly config: CompiledConfig;
  /** This node's id (lease owner). */
  readonly nodeId: string;
  /** The store this orchestrator persists to. */
  readonly store: Store;
  /** The logger in use (`config.logger`, else pino), behind a guard that drops a report that throws. */
  readonly logger: Logger;
  private readonly ctx: EngineContext;
  private readonly scheduler: Scheduler;
  private readonly keeper: LeaseKeeper;
  private closing: Promise<void> | null = null;

  /** @internal Use `createOrchestrator`. */
  constructor(ctx: EngineContext, engine: WorkflowEngine, scheduler: Scheduler, keeper: LeaseKeeper) {
    this.ctx = ctx;
    this.workflowEngine = engine;
    this.errorRecovery = ctx.errorRecovery;
    this.loadBalancer = ctx.loadBalancer;
    this.performanceOptimizer = ctx.optimizer;
    this.config = ctx.config;
    this.nodeId = ctx.nodeId;
    this.store = ctx.store;
    this.logger = ctx.logger;
    this.scheduler = scheduler;
    this.keeper = keeper;
    internals.set(this, { scheduler, alerts: ctx.alerts });
  }

  /**
   * Metrics of all executions, or of one workflow (SPEC §5).
   * @throws ValidationError when `workflowId` is given and is not a non-empty string.
   */
  getMetrics(workflowId?: string): MetricsSnapshot {
    if (workflowId !== undefined) checkNonEmptyString(workflowId, 'workflowId', 'getMetrics');
    return this.ctx.metrics.snapshot(this.loadBalancer.getLoadDistribution(), workflowId);
  }

  /** Alerts raised lately, oldest first. */
  getAlerts(): Alert[] {
    return this.ctx.alerts.getRecent();
  }

  /** Executions this node holds: running and queued. */
  getLocalLoad(): { running: number; queued: number } {
    return { running: this.scheduler.runningCount, queued: this.scheduler.queuedCount };
  }

  /** Whether this orchestrator runs in cluster mode (nodes are the balancer's workers). */
  get cluster(): boolean {
    return this.ctx.cluster;
  }

  /**
   * Nodes sharing this store, with their last heartbeat and load; `alive` when the heartbeat is
   * within one lease (and, for a node on this host, its process still exists). With the memory
   * store, just this node.
   */
  async getNodes(): Promise<(NodeRecord & { alive: boolean; self: boolean })[]> {
    const now = this.ctx.clock.now();
    const leaseMs = this.config.leaseSeconds * 1000;
    const nodes = this.ctx.store.durable ? await this.ctx.store.listNodes() : [];
    if (!nodes.some((n) => n.id === this.nodeId)) nodes.push(this.keeper.nodeRecord());
    return nodes.map((n) => ({
      ...n,
      alive: now - n.lastHeartbeat <= leaseMs && !ownerKnownDead(n.id, this.ctx.store),
      self: n.id === this.nodeId,
    }));
  }

  /**
   * Adds a listener for an event (`execution.started`, `step.completed`, `alert`, ...). The engine
   * does not wait for listeners; one that throws (or whose promise rejects) is logged and the other
   * listeners and the execution carry on.
   * @throws ValidationError for a name that is no event (a typo would otherwise never be called)
   *   or a listener that is no function.
   */
  on<E extends EventName>(event: E, listener: Listener<E>): this {
    this.ctx.events.on(event, listener);
    return this;
  }

  /**
   * Adds a listener called for the next occurrence of an event only.
   * @throws ValidationError for a name that is no event or a listener that is no function, as `on`.
   */
  once<E extends EventName>(event: E, listener: Listener<E>): this {
    this.ctx.events.once(event, listener);
    return this;
  }

  /**
   * Removes a listener added with `on` or `once` (a listener never added is no error).
   * @throws ValidationError for a name that is no event or a listener that is no function, as `on`.
   */
  off<E extends EventName>(event: E, listener: Listener<E>): this {
    this.ctx.events.off(event, listener);
    return this;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.closing !== null;
  }

  /**
   * Stops taking work. Running executions stay persisted (durable stores) and resume on the
   * next start; with `grace`, running steps may finish first. After the grace, a PostgreSQL store
   * gets 5 s to take the last writes and the release of the leases, and 5 s more each time its
   * server answers a query on a connection of its own (it is slow, not gone); when the server does
   * not answer within 2 s, the store is abandoned (logged), and the leases not released expire.
   * No cap bounds a wait on a server that answers: each store query's own timeout ends it (with a
   * PostgreSQL `queryTimeoutMs` of 0, a write blocked on another session's row lock keeps the close
   * waiting as long as the lock is held).
   */
  close(options: CloseOptions = {}): Promise<void> {
    // A misspelt `grace` would stop running steps at once (to run again after the restart).
    const problem = closeOptionsProblem(options);
    if (problem) return Promise.reject(new ValidationError(problem, 'Invalid close options'));
    this.closing ??= this.shutdown(options.grace ?? 0);
    return this.closing;
  }

  private async shutdown(graceSeconds: number): Promise<void> {
    const { ctx } = this;
    this.workflowEngine.markClosed();
    // From now on no step, compensation or queued execution starts here: running executions
    // stop at their next one, also while the close waits for a housekeeping round (below).
    ctx.lifecycle.draining = true;
    if (graceSeconds > 0 && this.scheduler.active.size > 0) {
      // While running steps finish, housekeeping keeps this node's leases (and heartbeat) alive,
      // so no other node takes over a step still running here; it takes no new work meanwhile.
      this.keeper.drain();
      // A retry's backoff or a `delay` has nothing to finish: halted now, resumed on the next start
      // (on a durable store; on the memory store nothing resumes, so they get the grace too).
      if (ctx.store.durable) this.scheduler.stopWaitingOnTimers();
      let timer: { cancel(): void } | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timer = ctx.clock.setTimer(resolve, graceSeconds * 1000);
      });
      try {
        // Running executions, not queued ones: those do not start while draining.
        await Promise.race([this.scheduler.startedIdle(), graceOver]);
      } finally {
        timer?.cancel();
      }
    }
    // A server cut off by a partition would hold the close for a query and a connect timeout per
    // write (about a minute): when it does not answer, the store is abandoned, its calls under way
    // fail, and the leases left behind expire, for other nodes to take the executions over. A
    // server that answers is only slow (a large final flush, a lock): the close waits on.
    const left = this.leaveStore();
    const waitedMs = ctx.store.abandon ? await this.storeLeft(left) : null;
    if (waitedMs !== null && ctx.store.abandon) {
      ctx.logger.warn(
        { waitedMs },
        'the store did not answer within 5 s: closed without it; leases not released expire on their own',
      );
      await ctx.store.abandon();
    }
    await left;
    ctx.events.removeAll();
  }

  /**
   * Waits for `left` (the close's work on the store), {@link STORE_CLOSE_WAIT_MS} at a time for as
   * long as the store's server answers (a store that cannot tell is not waited on longer). Null
   * when it ended; else how long the close waited before it gave the store up.
   */
  private async storeLeft(left: Promise<void>): Promise<number | null> {
    const { ctx } = this;
    let waitedMs = 0;
    for (;;) {
      if ((await within(left, STORE_CLOSE_WAIT_MS, ctx.clock)) !== undefined) return null;
      waitedMs += STORE_CLOSE_WAIT_MS;
      const answers = await ctx.store.serverAnswers?.(SERVER_ANSWER_MS).catch(() => false);
      if (!answers) return waitedMs;
      ctx.logger.info(
        { waitedMs },
        'the store is slow to take the last writes, but its server answers: the close waits on',
      );
    }
  }

  /**
   * Stops the executions running here, writes what they owe, releases this node's leases and
   * closes the store.
   */
  private async leaveStore(): Promise<void> {
    const { ctx } = this;
    await this.keeper.stop();
    this.scheduler.stopAll('shutdown');
    await this.scheduler.idle();
    // Executions still being created here are owned by this node once stored: let their creates
    // end before the release, or a create committing after it stays owned until its lease expires.
    await Promise.allSettled([...ctx.creating.values()]);
    if (ctx.store.durable) {
      try {
        await ctx.store.releaseLeases(ctx.nodeId);
        await ctx.store.removeNode(ctx.nodeId);
      } catch (error) {
        ctx.logger.warn({ err: toError(error) }, 'could not release leases; they expire on their own');
      }
    }
    // A purgeExecutions under way starts no other batch once closed: let its batch end first.
    await this.workflowEngine.purgesEnded();
    await ctx.store.close();
  }
}

/** The entries of a config object at `path`; a ValidationError naming what cannot be read (a throwing getter). */
function readableEntries(value: object, path: string): [string, unknown][] {
  const issues = unreadableIssues(value, []);
  if (issues.length > 0) {
    const at = (key: string) => (key === '' ? path : `${path}.${key}`);
    throw new ValidationError(
      issues.map((i) => ({ path: at(i.path), message: i.message })),
      'Invalid config',
    );
  }
  return Object.entries(value);
}

function checkHandlers(kind: 'action' | 'compensation', handlers: unknown): [string, ActionHandler][] {
  if (handlers === undefined) return [];
  if (handlers === null || typeof handlers !== 'object' || Array.isArray(handlers)) {
    throw new ValidationError(
      [
        {
          path: `${kind}s`,
          message: `Expected \`${kind}s\` to be an object of { name: handler }, got ${describeValue(handlers)}`,
        },
      ],
      'Invalid config',
    );
  }
  const plain = plainObjectIssue(handlers, `${kind}s`, `\`${kind}s\``, 'a plain object of { name: handler }');
  if (plain !== null) throw new ValidationError([plain], 'Invalid config');
  const list = readableEntries(handlers, `${kind}s`);
  for (const [name, handler] of list) {
    try {
      checkHandlerRegistration(kind, name, handler);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // Name the config key (`actions.validate`), not the registration argument (`handler`).
      throw new ValidationError(
        error.issues.map((i) => ({ path: `${kind}s.${name}`, message: i.message })),
        'Invalid config',
      );
    }
  }
  return list as [string, ActionHandler][];
}

/** The `on` option's listeners, each event name and listener checked (`on.<name>` in errors). */
function checkListeners(on: unknown): [EventName, Listener<EventName>][] {
  if (on === undefined) return [];
  if (on === null || typeof on !== 'object' || Array.isArray(on)) {
    throw new ValidationError(
      [
        {
          path: 'on',
          message: `Expected \`on\` to be an object of { eventName: listener }, got ${describeValue(on)}`,
        },
      ],
      'Invalid config',
    );
  }
  const plain = plainObjectIssue(on, 'on', '`on`', 'a plain object of { eventName: listener }');
  if (plain !== null) throw new ValidationError([plain], 'Invalid config');
  const list = readableEntries(on, 'on');
  const issues = list.flatMap(([event, listener]) => {
    const problem =
      eventNameProblem(event) ??
      (typeof listener === 'function'
        ? null
        : `Expected the listener of '${event}' to be a function, got ${describeValue(listener)}`);
    return problem ? [{ path: `on.${event}`, message: problem }] : [];
  });
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid config');
  return list as [EventName, Listener<EventName>][];
}

/**
 * Creates an orchestrator: validates the config, opens the store (running migrations),
 * registers the given handlers, and resumes every unfinished execution from its stored
 * position before it resolves.
 */
export async function createOrchestrator(options: OrchestratorOptions = {}): Promise<Orchestrator> {
  // Read once here: a getter or Proxy trap that throws is named, not thrown raw.
  assertReadable(options, [...CONFIG_KEYS, 'actions', 'compensations', 'on'], 'Invalid config');
  const shape = configShapeIssue(options);
  if (shape !== null) throw new ValidationError([shape], 'Invalid config');
  const { actions, compensations, on, ...rest } = options;
  const config = compileConfig(rest);
  const actionList = checkHandlers('action', actions);
  const compensationList = checkHandlers('compensation', compensations);
  const listenerList = checkListeners(on);
  // Before the store opens: a bad ORCHESTRATOR_LOG_LEVEL is rejected without touching it.
  const logger = guardedLogger(config.logger ?? createDefaultLogger());

  let store: Store;
  try {
    store = openStore(resolveStoreUrl(config), { leaseSeconds: config.leaseSeconds });
  } catch (error) {
    throw storeErrorAt(error, storeUrlKey(config));
  }
  await store.init();
  // Set once the engine exists: a failure after that point (recovery may have resumed executions
  // already) is cleaned up by closing it, which stops those and releases their leases.
  let orchestrator: Orchestrator | undefined;
  try {
    const cluster = config.cluster ?? store.kind === 'postgres';
    // Cluster nodes keep the database's time (an injected clock, as in tests, is kept as it is).
    let clockAlignment: ClockAlignment | undefined;
    if (cluster && store.clockOffset && config.clock === systemClock) {
      const aligned = new OffsetClock();
      clockAlignment = new ClockAlignment(store, aligned, logger);
      await clockAlignment.measure(3);
      config.clock = aligned;
    }
    const clock = config.clock;
    const registry = new ActionRegistry();
    registry.registerBuiltin('noop', noopAction);
    registry.registerBuiltin('delay', (input) => input);
    registry.registerBuiltin('http', createHttpAction({ allowlist: config.httpAllowlist ?? [] }));
    for (const [name, handler] of actionList) registry.register(name, handler);
    const errorRecovery = new ErrorRecovery({
      baseDelay: 1,
      multiplier: 2,
      maxDelay: config.retryDelay,
      // Its backoff runs on the orchestrator's clock, like every other wait (virtual in tests).
      sleep: (ms) => clock.sleep(ms),
    });
    for (const [name, handler] of compensationList)
      errorRecovery.registerCompensation(name, handler as CompensationHandler);
    const events = new TypedEmitter(
      (event, error) => logger.error({ event, err: toError(error) }, 'event listener threw'),
      (event, count) =>
        logger.warn(
          { event, listeners: count, limit: LISTENER_WARNING_LIMIT },
          `${count} listeners on '${event}', over ${LISTENER_WARNING_LIMIT}: a listener added per request or execution and never removed (orch.off) leaks; this warning is logged once per event`,
        ),
    );
    for (const [event, listener] of listenerList) events.on(event, listener);
    // Set once the scheduler exists; the balancer's reassignment callback reads it.
    let scheduler: Scheduler | undefined;
    const nodeId = config.nodeId ?? newNodeId();
    const ctx: EngineContext = {
      store,
      clock,
      config,
      nodeId,
      cluster,
      creating: new Map(),
      placing: new Map(),
      heartbeats: new Map(),
      nodeHandlers: new NodeHandlers(),
      actions: registry,
      errorRecovery,
      // In cluster mode the nodes are the workers; otherwise the configured logical workers.
      loadBalancer: new LoadBalancer({
        workers: cluster ? [nodeId] : config.workers,
        // An execution moved off a removed worker keeps its new worker: the next write stores it.
        onReassign: (executionId, _from, to) => {
          const ex = scheduler?.get(executionId);
          if (ex) ex.record.workerId = to;
        },
      }),
      optimizer: new PerformanceOptimizer({ slowThreshold: config.slowThreshold }),
      metrics: new Metrics(),
      alerts: new AlertMonitor(config.alerts, clock, logger, (alert) => events.emit('alert', alert)),
      events,
      logger,
      lifecycle: { draining: false },
      heartbeatExtras: new HeartbeatExtras(),
      owedWrites: new OwedWrites((ex) => writeOwed(ctx, ex)),
      leases: { validUntil: Number.POSITIVE_INFINITY, verify: async () => undefined },
      ...(clockAlignment ? { clockAlignment } : {}),
    };
    const definitions = new DefinitionRegistry(
      store,
      {
        retryAttempts: config.retryAttempts,
        retryDelay: config.retryDelay,
        workflowTimeout: config.workflowTimeout,
      },
      clock,
      // Another process sharing a durable store may define newer versions.
      store.durable ? config.sweepInterval * 1000 : 0,
    );
    await definitions.load();
    // The metrics count this node's executions as they move, and the store's counts of the rest
    // (re-read in housekeeping). A generated node id owns nothing yet; a configured one may own
    // executions from an earlier run: read as such (not as the store's total minus the rest, which
    // would count as this node's whatever another process wrote between the two reads), in the
    // same read as the list of those `recover` takes up again (see `owned-at-start.ts`).
    ctx.metrics.setOthers(await store.aggregateByWorkflow({ exceptOwner: nodeId }));
    const held = config.nodeId === undefined ? null : await readOwnedAtStart(store, nodeId);
    const own: Map<string, StoreAggregates> = held?.byWorkflow ?? new Map();
    ctx.metrics.load(sumAggregates(own.values()));
    for (const def of definitions.list()) {
      ctx.metrics.load(own.get(def.id) ?? emptyAggregates(), def.id);
    }

    scheduler = new Scheduler(ctx, config.maxConcurrentWorkflows);
    const engine = new WorkflowEngine(ctx, definitions, scheduler);
    const keeper = new LeaseKeeper(ctx, scheduler, definitions, engine);
    engine.claimOrphan = (id) => keeper.claim([id]);
    engine.cannotRun = (id) => keeper.cannotRun(id);
    engine.placedElsewhere = (node) => keeper.placedLoads.placedElsewhere(node);
    orchestrator = new Orchestrator(ctx, engine, scheduler, keeper);
    if (store.durable) await keeper.heartbeat();
    if (cluster) await keeper.refreshCluster();
    await keeper.recover(held?.unfinished ?? []);
    await keeper.start();
    return orchestrator;
  } catch (error) {
    if (orchestrator) await orchestrator.close().catch(() => undefined);
    else await store.close().catch(() => undefined);
    throw error;
  }
}

/** What is wrong with `close`'s options, if anything: an object with at most a `grace` in seconds. */
function closeOptionsProblem(options: unknown): Issue[] | null {
  const unreadable =
    options !== null && typeof options === 'object' ? unreadableIssues(options, ['grace']) : [];
  if (unreadable.length > 0) return unreadable;
  const issues = optionsIssues(options, ['grace'], { path: '', expected: 'an object such as { grace: 10 }' });
  if (options === null || typeof options !== 'object') return issues;
  const grace = (options as CloseOptions).grace;
  if (grace !== undefined && !(typeof grace === 'number' && grace >= 0 && grace <= MAX_GRACE_SECONDS)) {
    issues.push({
      path: 'grace',
      message: `expected seconds from 0 to ${MAX_GRACE_SECONDS}, got ${describeValue(grace)}`,
    });
  }
  return issues.length > 0 ? issues : null;
}
