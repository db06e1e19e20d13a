/**
 * Alerts (SPEC §5): execution time over a threshold, failure rate over a threshold, load
 * imbalance, compensation failure. Each alert is emitted as an `alert` event and logged; the
 * service adds a webhook. A cooldown per kind and subject keeps a flapping condition from
 * flooding listeners. In cluster mode the load imbalance is the cluster's, judged alike by every
 * node: one node raises it ({@link raisesClusterAlerts}), not each of them.
 * @module
 */
import { type Clock, elapsedMs } from '../clock.js';
import type { AlertConfig, Logger } from '../config.js';
import { dropOldest, setRecent } from '../lru.js';
import { overThresholdText } from './over-threshold-text.js';

/** Kinds of alert. */
export type AlertType = 'execution_time' | 'failure_rate' | 'load_imbalance' | 'compensation_failure';

/** One alert. */
export interface Alert {
  type: AlertType;
  severity: 'warning' | 'critical';
  message: string;
  at: Date;
  workflowId?: string;
  executionId?: string;
  step?: string;
  /**
   * The measured value and the threshold it crossed: ms for `execution_time`, a fraction of the
   * workflow's last executions for `failure_rate`, the largest deviation of a worker's load from
   * the mean as a fraction of the mean for `load_imbalance` (none for `compensation_failure`).
   */
  value?: number;
  threshold?: number;
}

/** The failure rate is taken over this many of a workflow's last executions. */
export const FAILURE_WINDOW = 100;

/** Workflows (and alert keys) whose outcome windows (and cooldowns) are kept. */
const MAX_TRACKED = 1000;

/** How many alerts of one type and severity were raised. */
export interface AlertCount {
  type: AlertType;
  severity: Alert['severity'];
  count: number;
}

/** Watches outcomes and raises alerts through `emit`. */
export class AlertMonitor {
  private readonly config: Required<AlertConfig>;
  private readonly clock: Clock;
  private readonly emit: (alert: Alert) => void;
  private readonly logger: Logger;
  private readonly lastFired = new Map<string, number>();
  /** Recent outcomes per workflow: ring buffers of 1 (failed) / 0. */
  private readonly outcomes = new Map<
    string,
    { buf: Uint8Array; next: number; size: number; failed: number }
  >();
  private readonly recent: Alert[] = [];
  /** How many alerts of each type and severity were raised since the start (by `type severity`). */
  private readonly raised = new Map<string, AlertCount>();
  /** Executions alerted as over the execution-time threshold while still running. */
  private readonly overdue = new Set<string>();

  constructor(config: Required<AlertConfig>, clock: Clock, logger: Logger, emit: (alert: Alert) => void) {
    this.config = config;
    this.clock = clock;
    this.logger = logger;
    this.emit = emit;
  }

  /** Alerts raised lately (newest last, at most 100), as copies. */
  getRecent(): Alert[] {
    return this.recent.map(copyAlert);
  }

  /** How many alerts of each type and severity were raised since the start, in first-raised order. */
  raisedCounts(): AlertCount[] {
    return [...this.raised.values()].map((c) => ({ ...c }));
  }

  /** Called when an execution reaches a terminal state (`durationMs` null: it never ran). */
  onExecutionFinished(
    workflowId: string,
    executionId: string,
    durationMs: number | null,
    failed: boolean,
  ): void {
    // One alerted while it ran is not alerted again for the same run.
    const alerted = this.overdue.delete(executionId);
    if (!alerted && durationMs !== null && durationMs > this.config.executionTimeMs) {
      this.raiseExecutionTime(workflowId, executionId, durationMs, 'took');
    }
    const rate = this.recordOutcome(workflowId, failed);
    if (rate !== null && rate > this.config.failureRate) {
      this.raise(
        {
          type: 'failure_rate',
          severity: 'critical',
          message: failureRateMessage(workflowId, rate, this.config.failureRate),
          workflowId,
          value: rate,
          threshold: this.config.failureRate,
        },
        `failure_rate:${workflowId}`,
      );
    }
  }

  /** Called when a compensation failed for good. Never suppressed: each one matters. */
  onCompensationFailed(workflowId: string, executionId: string, step: string, message: string): void {
    this.raise(
      {
        type: 'compensation_failure',
        severity: 'critical',
        message: `Compensation of step '${step}' in execution ${executionId} failed: ${message}`,
        workflowId,
        executionId,
        step,
      },
      null,
    );
  }

  /**
   * Called periodically with the executions running here: one running for longer than the
   * threshold is alerted now (once), not only when it ends — a stuck execution may never end.
   */
  checkRunning(
    now: number,
    running: Iterable<{ workflowId: string; executionId: string; startedAt: number | null }>,
  ): void {
    const seen = new Set<string>();
    for (const r of running) {
      seen.add(r.executionId);
      if (r.startedAt === null || this.overdue.has(r.executionId)) continue;
      const ranMs = elapsedMs(r.startedAt, now);
      if (ranMs <= this.config.executionTimeMs) continue;
      // Marked only once alerted: one the workflow's cooldown held back is checked again in the
      // next rounds, and alerted as the cooldown ends (before, it was marked all the same, and a
      // second stuck run of a workflow was never reported, while it ran or as it ended).
      if (this.raiseExecutionTime(r.workflowId, r.executionId, ranMs, 'has been running for')) {
        this.overdue.add(r.executionId);
      }
    }
    // Those that left this node without ending here (handed over, lease lost) are forgotten.
    for (const id of this.overdue) if (!seen.has(id)) this.overdue.delete(id);
  }

  /** Raises the execution_time alert of one execution; false when its workflow's cooldown held it back. */
  private raiseExecutionTime(workflowId: string, executionId: string, ms: number, verb: string): boolean {
    return this.raise(
      {
        type: 'execution_time',
        severity: 'warning',
        message: executionTimeMessage(executionId, workflowId, verb, ms, this.config.executionTimeMs),
        workflowId,
        executionId,
        value: ms,
        threshold: this.config.executionTimeMs,
      },
      `execution_time:${workflowId}`,
    );
  }

  /**
   * Called periodically with the balancer's view. Loads the busiest and idlest workers of which
   * differ by at most one execution are as even as whole executions allow (4 over 3 workers is
   * 2, 1, 1, which `isBalanced(0.3)` calls unbalanced): no alert then, as no placement does better.
   */
  checkBalance(balanced: boolean, active: number, distribution: Record<string, number>): void {
    if (balanced || active < this.config.imbalanceMinActive) return;
    if (spread(distribution) <= 1) return;
    this.raise(
      {
        type: 'load_imbalance',
        severity: 'warning',
        message: `Worker load is unbalanced (threshold ${this.config.imbalanceThreshold}): ${JSON.stringify(distribution)}`,
        value: deviation(distribution),
        threshold: this.config.imbalanceThreshold,
      },
      'load_imbalance',
    );
  }

  private recordOutcome(workflowId: string, failed: boolean): number | null {
    // Bounded: past 1000 workflows, the one whose last execution finished longest ago goes (not
    // every other one's history).
    const o = this.outcomes.get(workflowId) ?? {
      buf: new Uint8Array(FAILURE_WINDOW),
      next: 0,
      size: 0,
      failed: 0,
    };
    setRecent(this.outcomes, workflowId, o);
    dropOldest(this.outcomes, MAX_TRACKED);
    if (o.size === FAILURE_WINDOW) o.failed -= o.buf[o.next] ?? 0;
    else o.size++;
    o.buf[o.next] = failed ? 1 : 0;
    o.failed += failed ? 1 : 0;
    o.next = (o.next + 1) % FAILURE_WINDOW;
    return o.size >= this.config.minSamples ? o.failed / o.size : null;
  }

  /** Raises an alert unless the cooldown of `cooldownKey` holds it back; whether it was raised. */
  private raise(fields: Omit<Alert, 'at'>, cooldownKey: string | null): boolean {
    const now = this.clock.now();
    if (cooldownKey) {
      const last = this.lastFired.get(cooldownKey);
      // A last firing in the future means the clock was stepped back: the cooldown is over (else
      // the alert stayed silent for the size of the step, a day for a day's step).
      if (last !== undefined && now >= last && now - last < this.config.cooldown * 1000) return false;
      // Bounded, least recently fired first: past the cap the oldest entry goes (its alert may
      // then fire again before its cooldown ends, only after 1000 others fired since).
      setRecent(this.lastFired, cooldownKey, now);
      dropOldest(this.lastFired, MAX_TRACKED);
    }
    const alert: Alert = { ...fields, at: new Date(now) };
    this.recent.push(alert);
    if (this.recent.length > 100) this.recent.shift();
    const kind = `${alert.type} ${alert.severity}`;
    const counted = this.raised.get(kind);
    if (counted) counted.count++;
    else this.raised.set(kind, { type: alert.type, severity: alert.severity, count: 1 });
    this.logger.warn({ alert: { ...alert, at: alert.at.toISOString() } }, `alert: ${alert.message}`);
    // Listeners get their own copy: one that changes it changes no alert kept here.
    this.emit(copyAlert(alert));
    return true;
  }
}

/**
 * Cluster mode: whether the node `nodeId` raises the cluster-wide alerts (`load_imbalance`), given
 * the live nodes it knows (itself among them): every node reads the same loads, so each raising
 * the alert sent one copy per node to listeners, logs and the webhook. The live node with the
 * smallest id raises them (ids compared by UTF-16 code units, the same order on every node); when
 * it dies or leaves, the next smallest does from its next round that no longer counts it live.
 */
export function raisesClusterAlerts(nodeId: string, liveNodes: Iterable<string>): boolean {
  for (const id of liveNodes) if (id < nodeId) return false;
  return true;
}

/** Largest load minus smallest load (0 for no workers). */
function spread(distribution: Record<string, number>): number {
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const load of Object.values(distribution)) {
    if (load > max) max = load;
    if (load < min) min = load;
  }
  return max >= min ? max - min : 0;
}

/**
 * The largest deviation of a load from the mean load, as a fraction of the mean: what
 * `isBalanced(threshold)` compares with its threshold (0 for no workers or no load).
 */
function deviation(distribution: Record<string, number>): number {
  const loads = Object.values(distribution);
  const total = loads.reduce((sum, load) => sum + load, 0);
  if (!(total > 0)) return 0;
  // |load − mean| / mean as |load × n − total| / total: one division, so 10, 0, 0 is 2 exactly
  // (through the mean it was 1.9999999999999998).
  let most = 0;
  for (const load of loads) most = Math.max(most, Math.abs(load * loads.length - total));
  return most / total;
}

function copyAlert(alert: Alert): Alert {
  return { ...alert, at: new Date(alert.at.getTime()) };
}

function failureRateMessage(workflowId: string, rate: number, threshold: number): string {
  const [shown, limit] = overThresholdText(rate * 100, threshold * 100, 0);
  return `Failure rate of '${workflowId}' is ${shown}% over its last executions (threshold ${limit}%)`;
}

function executionTimeMessage(
  executionId: string,
  workflowId: string,
  verb: string,
  ms: number,
  threshold: number,
): string {
  const [shown, limit] = overThresholdText(ms, threshold, 0);
  return `Execution ${executionId} of '${workflowId}' ${verb} ${shown} ms (threshold ${limit} ms)`;
}
