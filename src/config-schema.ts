/**
 * The config's zod schema: each key's check and the message naming the key when it fails.
 * @module
 */
import { z } from 'zod';
import { allowlistEntryProblem } from './actions/ssrf-guard.js';
import type { Clock } from './clock.js';
import type { Logger } from './config.js';
import { MAX_SECONDS } from './definition/schema.js';
import { describeValue } from './describe-value.js';
import { errorMessage } from './errors.js';
import { isLogger, loggerRefusal, missingClockMethods } from './injected-checks.js';
import { FAILURE_WINDOW } from './monitoring/alerts.js';
import { redactRefusedUrl } from './redact-url.js';
import { unstorableText } from './storable-text.js';
import type { Store } from './store/store.js';
import { STORE_URL } from './store-url.js';

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

/** A check's error: "Expected `key` to be <what>, got <the value>". */
const expecting = (key: string, what: string) => ({
  error: (i: { input: unknown }) => `Expected \`${key}\` to be ${what}, got ${describeValue(i.input)}`,
});

/**
 * An integer check's error. zod's integer check also refuses whole numbers past
 * `Number.MAX_SAFE_INTEGER` (1e20 is one): those are told the bound, not that they are no integer.
 */
const integerError =
  (key: string, what: string, max = Number.MAX_SAFE_INTEGER) =>
  (i: { input: unknown }) =>
    `Expected \`${key}\` to be ${what}${
      Number.isInteger(i.input) && !Number.isSafeInteger(i.input) ? ` of at most ${max}` : ''
    }, got ${describeValue(i.input)}`;

const positiveNumber = (key: string) =>
  z.number(expecting(key, 'a positive number')).positive(expecting(key, 'a positive number'));

const nonNegativeInteger = (key: string) => {
  const message = integerError(key, 'a non-negative integer');
  return z
    .number(expecting(key, 'a non-negative integer'))
    .int({ error: message })
    .nonnegative({ error: message });
};

/** What is wrong with what `clock.now()` answers, or null when it is a finite number. */
function clockNowProblem(clock: Clock): string | null {
  let now: unknown;
  try {
    now = clock.now();
  } catch (error) {
    return `\`clock.now()\` threw: ${errorMessage(error)}`;
  }
  return typeof now === 'number' && Number.isFinite(now)
    ? null
    : `Expected \`clock.now()\` to return a finite number of ms, got ${describeValue(now)}`;
}

/** Longest duration a config key takes, in ms: the 1e9 s (about 31 years) definitions allow. */
const MAX_MS = MAX_SECONDS * 1000;

/**
 * A duration's upper bound. Past it a lease end overflowed PostgreSQL's `bigint` columns (a raw
 * database error) and timers went past what Node's take; nothing needs more.
 */
const atMost = (schema: z.ZodNumber, key: string, max: number, unit: string) =>
  schema.max(max, {
    error: (i) => `Expected \`${key}\` to be at most ${max} ${unit}, got ${describeValue(i.input)}`,
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
      error: (i) => `Expected \`${key}\` to be at least ${min} seconds, got ${describeValue(i.input)}`,
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
        // Aborts: a 1e20 is refused once, for its size, not by this check and `max` both.
        .int({ error: integerError('alerts.minSamples', 'a positive integer', FAILURE_WINDOW), abort: true })
        .positive(expecting('alerts.minSamples', 'a positive integer'))
        .max(FAILURE_WINDOW, {
          error: (i) =>
            `Expected \`alerts.minSamples\` to be at most ${FAILURE_WINDOW} (the failure rate is taken over a workflow's last ${FAILURE_WINDOW} executions), got ${describeValue(i.input)}`,
        })
        .optional(),
      imbalanceThreshold: alertNumber('imbalanceThreshold', 'a positive number')
        .positive(expecting('alerts.imbalanceThreshold', 'a positive number'))
        .optional(),
      imbalanceMinActive: alertNumber('imbalanceMinActive', 'a non-negative integer')
        .int({ error: integerError('alerts.imbalanceMinActive', 'a non-negative integer') })
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
export const configSchema = z
  .object({
    maxConcurrentWorkflows: z
      .number({
        error: (i) =>
          `Expected \`maxConcurrentWorkflows\` to be a positive integer, got ${describeValue(i.input)}`,
      })
      .int({ error: integerError('maxConcurrentWorkflows', 'a positive integer') })
      .positive({
        error: (i) =>
          `Expected \`maxConcurrentWorkflows\` to be a positive integer, got ${describeValue(i.input)}`,
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
        // One pass: `indexOf` per id was quadratic (a million ids blocked the start for most of an hour).
        const seen = new Set<string>();
        const twice = ids.find((id) => seen.size === seen.add(id).size);
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
      // Asked once: a now() that gives NaN (or a string) made every time and deadline wrong, and
      // one that throws failed the start with a bare Error.
      .superRefine((clock, ctx) => {
        const problem = clockNowProblem(clock);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
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

/** The keys of the config (those `createOrchestrator` takes besides actions, compensations and on). */
export const CONFIG_KEYS: readonly string[] = Object.keys(configSchema.shape);
