/**
 * Configuration (SPEC §2): one `DEFAULTS` object, a zod schema, and `compileConfig`, which
 * validates user options at the edge and reports every bad key by name.
 * @module
 */
import { z } from 'zod';
import { allowlistEntryProblem } from './actions/ssrf-guard.js';
import type { Clock } from './clock.js';
import { systemClock, wholeMilliseconds } from './clock.js';
import { MAX_SECONDS } from './definition/schema.js';
import { describeValue } from './describe-value.js';
import { errorMessage, type Issue, ValidationError } from './errors.js';
import { FAILURE_WINDOW } from './monitoring/alerts.js';
import { unstorableText } from './storable-text.js';
import type { Store } from './store/store.js';
import { unreadableIssues } from './unknown-keys.js';
import { issuesFromZod, parseOptions } from './zod-issues.js';

/** A query key as the PostgreSQL driver reads it (percent-decoded), lower-cased; the raw key if malformed. */
function queryKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/**
 * A URL with its password (and any user info) replaced, for messages and logs. The user info
 * runs to the last `@` before the path, as the PostgreSQL driver reads it (a password may hold a
 * raw `@`); a password written with a raw `/`, `?` or `#` (which ends the user info for a URL
 * parser) is masked too: what runs from `//` to the URL's last `@` is taken for user info when it
 * has a `:` (better a host masked by mistake than a password shown). A `password` query
 * parameter is masked whatever its case or percent-encoding.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@]*:[^@]*)@(?=[^@]*$)/i, (whole, scheme: string, info: string) =>
      /[/?#]/.test(info) ? `${scheme}***@` : whole,
    )
    .replace(/([?&])([^=&#]*)=([^&#]*)/g, (pair, sep: string, key: string) =>
      queryKey(key) === 'password' ? `${sep}${key}=***` : pair,
    );
}

/**
 * A store URL that was refused as malformed, masked for the error message: as
 * {@link redactUrl}, and when the `//` is missing too (`postgres:user:password@host`, a typo),
 * everything before its `@`.
 */
export function redactRefusedUrl(url: string): string {
  const masked = redactUrl(url);
  if (masked.includes('***@') || !masked.includes('@')) return masked;
  return masked.replace(/^([a-z][a-z0-9+.-]*:\/*)?.*@/i, '$1***@');
}

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

/** Longest `nodeId`: it is a key of the stores' indexes (PostgreSQL's btree takes 2704 bytes). */
export const MAX_NODE_ID_LENGTH = 512;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARACTER = /[\u0001-\u001f\u007f-\u009f]/;

/**
 * A worker id: stored as the `workerId` of each execution placed on it, so it must be storable as
 * is (PostgreSQL would keep U+FFFD for a U+0000 or a lone surrogate, unlike the other stores).
 */
const workerIdSchema = z
  .string()
  .min(1, { error: (i) => `Expected a worker id (a non-empty string), got ${describeValue(i.input)}` })
  .superRefine((id, ctx) => {
    const unstorable = unstorableText(id);
    if (unstorable !== null)
      ctx.addIssue({ code: 'custom', message: `${unstorable}; no store can keep it as is` });
  });

/**
 * A node id: shown in logs and `orchestrator workers`, stored as the lease owner of every
 * execution the node runs, so it must be storable as is, printable and of bounded length.
 */
const nodeIdSchema = z
  .string()
  .min(1, { error: (i) => `Expected \`nodeId\` to be a non-empty string, got ${describeValue(i.input)}` })
  .max(MAX_NODE_ID_LENGTH, `must be at most ${MAX_NODE_ID_LENGTH} characters`)
  .superRefine((id, ctx) => {
    const unstorable = unstorableText(id);
    if (unstorable !== null)
      ctx.addIssue({ code: 'custom', message: `${unstorable}; no store can keep it as is` });
    const control = CONTROL_CHARACTER.exec(id);
    if (control) {
      const hex = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      ctx.addIssue({
        code: 'custom',
        message: `contains a control character (U+${hex}) at index ${control.index}`,
      });
    }
  });

/** The methods of {@link Clock} that `value` lacks (the engine calls all three). */
export function missingClockMethods(value: unknown): (keyof Clock)[] {
  const clock = (value !== null && typeof value === 'object' ? value : {}) as Partial<
    Record<keyof Clock, unknown>
  >;
  return (['now', 'setTimer', 'sleep'] as const).filter((m) => typeof clock[m] !== 'function');
}

const LOGGER_METHODS = ['info', 'warn', 'error', 'debug'] as const;

/**
 * Why `value` is refused as a `logger` (every logger option takes one with at least warn()): what
 * it got, and for an object which of the four methods it has, so a misspelt `wran` shows.
 */
export function loggerRefusal(value: unknown): string {
  const expected = 'Expected `logger` to be a logger with info/warn/error/debug, got';
  if (value === null || typeof value !== 'object') return `${expected} ${describeValue(value)}`;
  const has = LOGGER_METHODS.filter((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (has.length === 0) return `${expected} an object with none of them`;
  const list = has.map((m) => `${m}()`);
  const named = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
  return `${expected} an object with ${named} but no warn()`;
}

/** Whether `value` is taken as a `logger`: it has warn() (a guard drops a report another lacks). */
export function isLogger(value: unknown): value is Logger {
  return typeof (value as Partial<Logger> | null | undefined)?.warn === 'function';
}

/** The shape of a store URL: `memory`, `sqlite:<path>` or `postgres://...`. */
const STORE_URL = /^(memory|sqlite:.+|postgres(ql)?:\/\/.+)$/;

/** Default SQLite file when persistence is on and nothing else is chosen. */
export const DEFAULT_SQLITE_STORE = 'sqlite:./data/orchestrator.sqlite';

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
  /** This node's id (at most 512 characters, no control characters). @default `<host>[~<pid namespace>]/<pid>/<random>` */
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

/** A check's error: "Expected `key` to be <what>, got <the value>". */
const expecting = (key: string, what: string) => ({
  error: (i: { input: unknown }) => `Expected \`${key}\` to be ${what}, got ${describeValue(i.input)}`,
});

const positiveNumber = (key: string) =>
  z.number(expecting(key, 'a positive number')).positive(expecting(key, 'a positive number'));

const nonNegativeInteger = (key: string) => {
  const message = (i: { input: unknown }) =>
    `Expected \`${key}\` to be a non-negative integer, got ${String(i.input)}`;
  return z
    .number(expecting(key, 'a non-negative integer'))
    .int({ error: message })
    .nonnegative({ error: message });
};

/** Longest duration a config key takes, in ms: the 1e9 s (about 31 years) definitions allow. */
const MAX_MS = MAX_SECONDS * 1000;

/**
 * A duration's upper bound. Past it a lease end overflowed PostgreSQL's `bigint` columns (a raw
 * database error) and timers went past what Node's take; nothing needs more.
 */
const atMost = (schema: z.ZodNumber, key: string, max: number, unit: string) =>
  schema.max(max, {
    error: (i) => `Expected \`${key}\` to be at most ${max} ${unit}, got ${String(i.input)}`,
  });

/** The shortest housekeeping interval (`sweepInterval`): 10 ms. */
export const MIN_SWEEP_SECONDS = 0.01;

/** The shortest `retention`: a minute. */
export const MIN_RETENTION_SECONDS = 60;

/** A positive number of seconds, at most {@link MAX_SECONDS}. */
const seconds = (key: string) => atMost(positiveNumber(key), key, MAX_SECONDS, 'seconds');

/**
 * Seconds from `min`: one check for the bound (a positive-number check beside it gave a second
 * issue for the same value, 'to be a positive number' and 'to be at least …').
 */
const secondsFrom = (key: string, min: number) =>
  atMost(
    z.number(expecting(key, `a number of seconds, at least ${min}`)).min(min, {
      error: (i) => `Expected \`${key}\` to be at least ${min} seconds, got ${String(i.input)}`,
    }),
    key,
    MAX_SECONDS,
    'seconds',
  );

/** A number (the type error too) whose every check says `what` it must be. */
const alertNumber = (key: string, what: string) => z.number(expecting(`alerts.${key}`, what));

const alertsSchema = z
  .object(
    {
      executionTimeMs: atMost(
        alertNumber('executionTimeMs', 'a positive number of ms').positive(
          expecting('alerts.executionTimeMs', 'a positive number of ms'),
        ),
        'alerts.executionTimeMs',
        MAX_MS,
        'ms',
      ).optional(),
      failureRate: alertNumber('failureRate', 'a fraction from 0 to 1')
        .min(0, expecting('alerts.failureRate', 'a fraction from 0 to 1'))
        .max(1, expecting('alerts.failureRate', 'a fraction from 0 to 1'))
        .optional(),
      minSamples: alertNumber('minSamples', 'a positive integer')
        .int(expecting('alerts.minSamples', 'a positive integer'))
        .positive(expecting('alerts.minSamples', 'a positive integer'))
        .max(FAILURE_WINDOW, {
          error: (i) =>
            `Expected \`alerts.minSamples\` to be at most ${FAILURE_WINDOW} (the failure rate is taken over a workflow's last ${FAILURE_WINDOW} executions), got ${String(i.input)}`,
        })
        .optional(),
      imbalanceThreshold: alertNumber('imbalanceThreshold', 'a positive number')
        .positive(expecting('alerts.imbalanceThreshold', 'a positive number'))
        .optional(),
      imbalanceMinActive: alertNumber('imbalanceMinActive', 'a non-negative integer')
        .int(expecting('alerts.imbalanceMinActive', 'a non-negative integer'))
        .nonnegative(expecting('alerts.imbalanceMinActive', 'a non-negative integer'))
        .optional(),
      cooldown: atMost(
        alertNumber('cooldown', 'a non-negative number of seconds').nonnegative(
          expecting('alerts.cooldown', 'a non-negative number of seconds'),
        ),
        'alerts.cooldown',
        MAX_SECONDS,
        'seconds',
      ).optional(),
    },
    expecting('alerts', 'an object of alert thresholds'),
  )
  .strict();

const configSchema = z
  .object({
    maxConcurrentWorkflows: z
      .number({
        error: (i) =>
          `Expected \`maxConcurrentWorkflows\` to be a positive integer, got ${describeValue(i.input)}`,
      })
      .int({
        error: (i) => `Expected \`maxConcurrentWorkflows\` to be a positive integer, got ${String(i.input)}`,
      })
      .positive({
        error: (i) => `Expected \`maxConcurrentWorkflows\` to be a positive integer, got ${String(i.input)}`,
      }),
    workflowTimeout: seconds('workflowTimeout'),
    retryAttempts: nonNegativeInteger('retryAttempts'),
    retryDelay: seconds('retryDelay'),
    enableWorkflowPersistence: z.boolean(expecting('enableWorkflowPersistence', 'a boolean')),
    enableCompensation: z.boolean(expecting('enableCompensation', 'a boolean')),
    store: z
      .union(
        [
          z.string().refine((s) => STORE_URL.test(s), {
            error: (i) =>
              `Expected \`store\` to be "memory", "sqlite:<path>" or "postgres://...", got ${describeValue(redactRefusedUrl(String(i.input)))}`,
          }),
          z.custom<Store>((v) => !!v && typeof v === 'object' && typeof (v as Store).update === 'function'),
        ],
        {
          // Neither a string nor a store: zod's own text for that is a bare "Invalid input".
          error: (i) =>
            `Expected \`store\` to be "memory", "sqlite:<path>", "postgres://..." or a Store instance, got ${describeValue(i.input)}`,
        },
      )
      .optional(),
    workers: z
      .array(workerIdSchema, expecting('workers', 'an array of worker ids'))
      .min(1, { error: 'Expected `workers` to list at least one worker id, got []' })
      .superRefine((ids, ctx) => {
        const twice = ids.find((id, i) => ids.indexOf(id) !== i);
        if (twice !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: `Expected \`workers\` to have no duplicate ids, got ${describeValue(twice)} twice`,
          });
      }),
    slowThreshold: atMost(positiveNumber('slowThreshold'), 'slowThreshold', MAX_MS, 'ms'),
    leaseSeconds: seconds('leaseSeconds'),
    // Housekeeping reads and writes the store each round: a round per few microseconds (1e-9)
    // would keep it and the event loop busy for nothing.
    sweepInterval: secondsFrom('sweepInterval', MIN_SWEEP_SECONDS),
    maxStepInterruptions: nonNegativeInteger('maxStepInterruptions'),
    // Shorter, an execution could be gone before its caller polled its end.
    retention: secondsFrom('retention', MIN_RETENTION_SECONDS).optional(),
    alerts: alertsSchema.optional(),
    nodeId: nodeIdSchema.optional(),
    clock: z
      .custom<Clock>((v) => missingClockMethods(v).length === 0, {
        error: (issue) =>
          `Expected \`clock\` to implement now(), setTimer() and sleep(); it lacks ${missingClockMethods(
            issue.input,
          )
            .map((m) => `${m}()`)
            .join(', ')}`,
      })
      .optional(),
    logger: z.custom<Logger>(isLogger, { error: (i) => loggerRefusal(i.input) }).optional(),
    httpAllowlist: z
      .array(
        z
          .string()
          // '' included: the entry check says what an entry may be.
          .superRefine((entry, ctx) => {
            const problem = allowlistEntryProblem(entry);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
      )
      .optional(),
    cluster: z.boolean(expecting('cluster', 'a boolean')).optional(),
  })
  .strict()
  // A lease must outlive a few housekeeping rounds, or a live node loses its work between renewals.
  .superRefine((c, ctx) => {
    // A bad value of either (a non-positive lease among them) is reported by its own check.
    if (typeof c.leaseSeconds !== 'number' || typeof c.sweepInterval !== 'number') return;
    if (!(c.leaseSeconds > 0)) return;
    if (c.leaseSeconds >= 3 * c.sweepInterval) return;
    ctx.addIssue({
      code: 'custom',
      path: ['leaseSeconds'],
      message: `Expected \`leaseSeconds\` to be at least 3 × \`sweepInterval\` (${3 * c.sweepInterval}), got ${c.leaseSeconds}`,
    });
  });

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

/** The keys of the config (those `createOrchestrator` takes besides actions, compensations and on). */
export const CONFIG_KEYS: readonly string[] = Object.keys(configSchema.shape);

/**
 * Applies defaults and validates. Throws a `ValidationError` naming every bad key.
 * `actions` and `compensations` are not config; callers strip them first.
 */
export function compileConfig(options: Partial<Config> = {}): CompiledConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError(
      [{ path: '', message: `Expected the config to be an object, got ${describeValue(options)}` }],
      'Invalid config',
    );
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const merged = { ...DEFAULTS, workers: [...DEFAULTS.workers], ...defined };
  const unreadable = nestedUnreadableIssues(defined);
  if (unreadable.length > 0) throw new ValidationError(unreadable, 'Invalid config');
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
  if (!parsed.success) throw new ValidationError(issuesFromZod(parsed.error), 'Invalid config');
  const value = parsed.data as Config;
  return {
    ...value,
    clock: value.clock ? wholeMilliseconds(value.clock) : systemClock,
    alerts: { ...ALERT_DEFAULTS, ...value.alerts },
  };
}

/**
 * Which store a config selects (SPEC §2): explicit `store`, else memory when persistence is off, else env, else SQLite.
 * @throws ValidationError naming `ORCHESTRATOR_STORE` (password hidden) when the variable is consulted and malformed.
 */
export function resolveStoreUrl(config: Pick<Config, 'store' | 'enableWorkflowPersistence'>): string | Store {
  if (config.store !== undefined) return config.store;
  if (!config.enableWorkflowPersistence) return 'memory';
  const fromEnv = process.env.ORCHESTRATOR_STORE;
  if (!fromEnv) return DEFAULT_SQLITE_STORE;
  if (!STORE_URL.test(fromEnv)) {
    throw new ValidationError(
      [
        {
          path: 'ORCHESTRATOR_STORE',
          message: `Expected \`ORCHESTRATOR_STORE\` to be "memory", "sqlite:<path>" or "postgres://...", got ${describeValue(redactRefusedUrl(fromEnv))}`,
        },
      ],
      'Invalid config',
    );
  }
  return fromEnv;
}
