/**
 * The options of `RemoteWorkerHub`: their shape and bounds, checked once, and the settings the
 * hub runs on (the defaults filled in).
 * @module
 */
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../config.js';
import { describeValue } from '../describe-value.js';
import { type Issue, ValidationError } from '../errors.js';
import { guardedLogger } from '../guarded-logger.js';
import { isLogger, loggerRefusal, missingClockMethods } from '../injected-checks.js';
import { optionsIssues } from '../unknown-keys.js';
import { MAX_POLL_WAIT_SECONDS } from './protocol.js';

/** Options of `RemoteWorkerHub`. */
export interface RemoteWorkerHubOptions {
  /** Time source (tests inject a `FakeClock`). @default the system clock */
  clock?: Clock | undefined;
  /**
   * A leased task expires this long after its hand-over or last heartbeat, a registration this long
   * after the worker was last heard from (at most 86400). @default 30
   */
  leaseSeconds?: number | undefined;
  /** The wait a poll asks for by default (at most 30). @default 20 */
  pollSeconds?: number | undefined;
  /** Registered workers at most; more registrations answer 409. @default 1000 */
  maxWorkers?: number | undefined;
  /** Polls one worker may have waiting at once; more answer 409. @default 256 */
  maxPollsPerWorker?: number | undefined;
  /** Where lost workers and tasks are logged. @default silent */
  logger?: Logger | undefined;
}

/** What the hub runs on: its options checked, the defaults filled in. */
export interface HubSettings {
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** Seconds a lease (and a registration) lasts without news from the worker. */
  readonly leaseSeconds: number;
  /** The wait a poll asks for by default, in seconds. */
  readonly pollSeconds: number;
  readonly maxWorkers: number;
  readonly maxPolls: number;
  readonly leaseMs: number;
  /** How often the sweeper checks leases and registrations. */
  readonly sweepMs: number;
}

/**
 * Longest `leaseSeconds` (a day). Workers heartbeat every third of it; past 2^31-1 ms Node ran
 * their heartbeat interval every 1 ms.
 */
export const MAX_LEASE_SECONDS = 86_400;

function positive(name: string, value: number | undefined, fallback: number, max = Infinity): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new ValidationError(
      [
        {
          path: name,
          message: `Expected \`${name}\` to be a positive number up to ${max}, got ${describeValue(v)}`,
        },
      ],
      'Invalid RemoteWorkerHub options',
    );
  }
  return v;
}

/** A count (`maxWorkers`, `maxPollsPerWorker`): a positive integer. */
function count(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new ValidationError(
      [{ path: name, message: `Expected \`${name}\` to be a positive integer, got ${describeValue(v)}` }],
      'Invalid RemoteWorkerHub options',
    );
  }
  return v;
}

const HUB_OPTION_KEYS: readonly (keyof RemoteWorkerHubOptions)[] = [
  'clock',
  'leaseSeconds',
  'pollSeconds',
  'maxWorkers',
  'maxPollsPerWorker',
  'logger',
];

/** The shape of the options: an object of known keys, a clock with its methods, a logger. */
function checkHubOptions(options: RemoteWorkerHubOptions): void {
  const invalid = (issues: Issue[]) => {
    if (issues.length > 0) throw new ValidationError(issues, 'Invalid RemoteWorkerHub options');
  };
  invalid(optionsIssues(options, HUB_OPTION_KEYS, { path: 'options', expected: 'an object' }));
  const issues: Issue[] = [];
  const missing = options.clock === undefined ? [] : missingClockMethods(options.clock);
  if (missing.length > 0) {
    issues.push({
      path: 'clock',
      message: `Expected \`clock\` to implement now(), setTimer() and sleep(); it lacks ${missing.map((m) => `${m}()`).join(', ')}`,
    });
  }
  const { logger } = options;
  // The same test as the config's `logger` (the orchestrator's logger is passed on here).
  if (logger !== undefined && !isLogger(logger))
    issues.push({ path: 'logger', message: loggerRefusal(logger) });
  invalid(issues);
}

/**
 * The settings of a hub made with `options`.
 * @throws ValidationError headed 'Invalid RemoteWorkerHub options'.
 */
export function hubSettings(options: RemoteWorkerHubOptions): HubSettings {
  checkHubOptions(options);
  const clock = options.clock ?? systemClock;
  // Guarded as the engine's: a report that throws (a closed destination, a logger without
  // `info`) must not skip what follows it — failing a lost worker's tasks, the next sweep.
  const logger = options.logger === undefined ? undefined : guardedLogger(options.logger);
  const leaseSeconds = positive('leaseSeconds', options.leaseSeconds, 30, MAX_LEASE_SECONDS);
  const pollSeconds = positive('pollSeconds', options.pollSeconds, 20, MAX_POLL_WAIT_SECONDS);
  const maxWorkers = count('maxWorkers', options.maxWorkers, 1000);
  const maxPolls = count('maxPollsPerWorker', options.maxPollsPerWorker, 256);
  const leaseMs = leaseSeconds * 1000;
  const sweepMs = Math.min(1000, leaseMs / 4);
  return { clock, logger, leaseSeconds, pollSeconds, maxWorkers, maxPolls, leaseMs, sweepMs };
}
