/**
 * Configuration (SPEC §2): the `Config` type, its `DEFAULTS`, and `compileConfig`, which
 * validates user options at the edge (with the schema of `config-schema.ts`) and reports every
 * bad key by name. Store URLs are in `store-url.ts`, their masking in `redact-url.ts`, the checks
 * of an injected clock or logger in `injected-checks.ts`.
 * @module
 */
import { inspect } from 'node:util';
import { type Clock, systemClock, wholeMilliseconds } from './clock.js';
import { configSchema } from './config-schema.js';
import { describeValue } from './describe-value.js';
import { errorMessage, type Issue, ValidationError } from './errors.js';
import { plainObjectIssue } from './plain-object.js';
import { redactUrl } from './redact-url.js';
import type { Store } from './store/store.js';
import { unreadableIssues } from './unknown-keys.js';
import { issuesFromZod, parseOptions } from './zod-issues.js';

/** The default store (public with the config's defaults, see src/index.ts). */
export { DEFAULT_SQLITE_STORE } from './store-url.js';

/** The seed's defaults. Durations are seconds. */
export const DEFAULTS = {
  maxConcurrentWorkflows: 100,
  workflowTimeout: 300,
  retryAttempts: 3,
  retryDelay: 5,
  enableWorkflowPersistence: true,
  enableCompensation: true,
  workers: ['worker_1'],
  /** Slow-execution threshold of the optimizer, ms. */
  slowThreshold: 1000,
  /** How long a node's claim on an execution lasts without renewal, seconds. */
  leaseSeconds: 30,
  /** How often leases are renewed and orphans, cancel requests and alerts checked, seconds. */
  sweepInterval: 1,
  /** Times a step (or compensation) may be cut short by its process stopping before it fails; 0: no limit. */
  maxStepInterruptions: 10,
} as const;

/** Alert thresholds (SPEC §5). */
export interface AlertConfig {
  /** Alert when one execution takes longer than this many ms. @default 30000 */
  executionTimeMs?: number | undefined;
  /** Alert when the failure rate of recent executions of a workflow exceeds this fraction. @default 0.5 */
  failureRate?: number | undefined;
  /**
   * Finished executions (per workflow) needed before the failure rate is judged, at most 100 (the
   * rate is taken over a workflow's last 100 executions). @default 10
   */
  minSamples?: number | undefined;
  /** Load-imbalance threshold passed to `isBalanced`. @default 0.3 */
  imbalanceThreshold?: number | undefined;
  /** Active executions needed before imbalance is judged. @default 10 */
  imbalanceMinActive?: number | undefined;
  /** Minimum seconds between two alerts of the same kind and subject. @default 60 */
  cooldown?: number | undefined;
}

/** A minimal structured logger (pino's shape). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Options of `createOrchestrator`. Every key is optional. */
export interface Config {
  /** Executions running at once; more wait as `pending` (FIFO). @default 100 */
  maxConcurrentWorkflows: number;
  /** Seconds from acceptance (queue time included) to terminal state. @default 300 */
  workflowTimeout: number;
  /** Default retries of a step with `retry: true`. @default 3 */
  retryAttempts: number;
  /** Default cap, in seconds, on one backoff delay. @default 5 */
  retryDelay: number;
  /** true: durable store; false: in memory. @default true */
  enableWorkflowPersistence: boolean;
  /** Run compensation on failure, timeout and cancellation. @default true */
  enableCompensation: boolean;
  /** `memory`, `sqlite:<path>`, `postgres://...`, or a `Store` instance. @default see SPEC §2 */
  store?: string | Store | undefined;
  /** Worker ids the load balancer spreads executions over. @default ['worker_1'] */
  workers: readonly string[];
  /** Slow threshold of the performance optimizer, ms. @default 1000 */
  slowThreshold: number;
  /** Lease length in seconds. @default 30 */
  leaseSeconds: number;
  /** Housekeeping interval in seconds. @default 1 */
  sweepInterval: number;
  /**
   * Retention, in seconds: housekeeping deletes finished executions (their steps and input too)
   * that completed longer ago, in small batches; the metrics keep counting them. At least 60.
   * @default keep forever
   */
  retention?: number | undefined;
  /**
   * Times one step run (or compensation) may be cut short — its process crashed or stopped
   * while it ran — before it fails with code `INTERRUPTION_LIMIT` instead of running again, so a
   * step that takes its process down does not do so forever. 0: no limit. @default 10
   */
  maxStepInterruptions: number;
  /** Alert thresholds. */
  alerts?: AlertConfig | undefined;
  /** This node's id (at most 512 characters, no control characters). @default `<host>[~<pid namespace>][~<boot id>]/<pid>/<random>` */
  nodeId?: string | undefined;
  /** Time source (tests inject a `FakeClock`). @default the system clock */
  clock?: Clock | undefined;
  /** Structured logger. @default pino at level `ORCHESTRATOR_LOG_LEVEL` or `warn` */
  logger?: Logger | undefined;
  /** Hosts the built-in `http` action may reach even if private. @default [] */
  httpAllowlist?: readonly string[] | undefined;
  /**
   * Cluster mode: nodes sharing the store register with heartbeats, become the balancer's
   * workers, and new executions are placed on the least-loaded live node.
   * @default true for a PostgreSQL store, else false
   */
  cluster?: boolean | undefined;
}

/** Config after defaults and validation. */
export interface CompiledConfig extends Config {
  clock: Clock;
  alerts: Required<AlertConfig>;
}

/** The defaults of the `alerts` keys. */
export const ALERT_DEFAULTS: Readonly<Required<AlertConfig>> = {
  executionTimeMs: 30_000,
  failureRate: 0.5,
  minSamples: 10,
  imbalanceThreshold: 0.3,
  imbalanceMinActive: 10,
  cooldown: 60,
};

/** Issues naming the entries of the config's lists and plain objects (alerts, workers) whose read throws. */
function nestedUnreadableIssues(config: Record<string, unknown>): Issue[] {
  return Object.entries(config).flatMap(([key, value]): Issue[] => {
    if (value === null || typeof value !== 'object') return [];
    try {
      const list = Array.isArray(value);
      if (!list && Object.getPrototypeOf(value) !== Object.prototype) return [];
      return unreadableIssues(value, list ? ['length'] : []).map((issue) => ({
        path:
          issue.path === '' || issue.path === 'length'
            ? key
            : list
              ? `${key}[${issue.path}]`
              : `${key}.${issue.path}`,
        message: issue.message,
      }));
    } catch (error) {
      return [{ path: key, message: `could not be read (${errorMessage(error)})` }];
    }
  });
}

/**
 * The issue of a config that is not a plain object (a number, an array, a Map, a class instance,
 * an object inheriting its keys: only its own keys would be read), or null.
 */
export function configShapeIssue(options: unknown): Issue | null {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return { path: '', message: `Expected the config to be an object, got ${describeValue(options)}` };
  }
  return plainObjectIssue(options, '', 'the config', 'a plain object');
}

/** The issue of an `alerts` object that is not plain (a Map's entries would be ignored), or null. */
function alertsShapeIssue(alerts: unknown): Issue | null {
  if (alerts === null || typeof alerts !== 'object' || Array.isArray(alerts)) return null;
  return plainObjectIssue(alerts, 'alerts', '`alerts`', 'a plain object');
}

/**
 * Applies defaults and validates. Throws a `ValidationError` naming every bad key.
 * `actions` and `compensations` are not config; callers strip them first.
 */
export function compileConfig(options: Partial<Config> = {}): CompiledConfig {
  const shape = configShapeIssue(options);
  if (shape !== null) throw new ValidationError([shape], 'Invalid config');
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const merged = { ...DEFAULTS, workers: [...DEFAULTS.workers], ...defined };
  const unreadable = nestedUnreadableIssues(defined);
  if (unreadable.length > 0) throw new ValidationError(unreadable, 'Invalid config');
  const alerts = alertsShapeIssue(defined.alerts);
  if (alerts !== null) throw new ValidationError([alerts], 'Invalid config');
  let parsed: ReturnType<typeof configSchema.safeParse>;
  try {
    parsed = configSchema.safeParse(merged, parseOptions('config'));
  } catch (error) {
    // A getter or Proxy trap deeper than the lists and objects checked above (in a logger).
    throw new ValidationError(
      [{ path: '', message: `could not be read (${errorMessage(error)})` }],
      'Invalid config',
    );
  }
  if (!parsed.success) throw new ValidationError(issuesFromZod(parsed.error, configSchema), 'Invalid config');
  const value = parsed.data as Config;
  return maskedWhenPrinted({
    ...value,
    clock: value.clock ? wholeMilliseconds(value.clock) : systemClock,
    alerts: { ...ALERT_DEFAULTS, ...value.alerts },
  });
}

/**
 * `config` printing its store URL with the password masked: `util.inspect` (`console.log(orch)`,
 * a logger or test runner inspecting it) and `JSON.stringify` see a copy with `store` masked,
 * while `config.store` reads as given. Both hooks are non-enumerable: a spread copy is plain.
 */
function maskedWhenPrinted(config: CompiledConfig): CompiledConfig {
  if (typeof config.store !== 'string') return config;
  const printed = () => ({ ...config, store: redactUrl(config.store as string) });
  Object.defineProperties(config, {
    [inspect.custom]: {
      value: (
        depth: number,
        options: { depth?: number | null; stylize(text: string, style: string): string },
      ) =>
        depth < 0
          ? options.stylize('[Object]', 'special')
          : inspect(printed(), {
              ...options,
              depth: options.depth == null ? options.depth : options.depth - 1,
            }),
    },
    toJSON: { value: printed },
  });
  return config;
}
