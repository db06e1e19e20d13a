/**
 * The public contract of the TypeScript remote worker: its options, the handler signature and
 * context, and the worker's interface; plus the checks `createRemoteWorker` runs on its options.
 * @module
 */

import { displayRefusedUrl, displayUrl } from '../actions/display-url.js';
import type { Logger } from '../config.js';
import { describeKind, describeValue } from '../describe-value.js';
import { echo } from '../echo.js';
import { ValidationError } from '../errors.js';
import { isLogger, loggerRefusal } from '../injected-checks.js';
import { tokenProblem } from '../server/auth.js';
import { optionsIssues, unknownKeyIssues } from '../unknown-keys.js';
import { actionNameProblem } from './action-names.js';
import { MAX_POLL_WAIT_SECONDS, MAX_WORKER_ACTIONS, MAX_WORKER_NAME_LENGTH } from './protocol.js';

/** What a remote action handler receives besides its input. */
export interface RemoteTaskContext {
  taskId: string;
  action: string;
  executionId: string;
  workflowId: string;
  stepName: string;
  /** 1 for the step's first run, 2 for its first retry, ... */
  attempt: number;
  /** Stable across attempts and restarts: use it to make side effects idempotent. */
  idempotencyKey: string;
  /** When the step's attempt ends at the latest (its timeout, or the workflow's when that comes first), or null. */
  deadline: Date | null;
  /** Aborts when the step is cancelled or times out, when the lease is lost, or when the worker stops. */
  signal: AbortSignal;
}

/**
 * A remote action: returns (or resolves to) the step's output, which must be JSON. Throw a
 * `NonRetryableError` (or an error with `retryable: false`) to fail the step without retries;
 * an error's string `code` becomes the step error's code.
 */
export type RemoteActionHandler = (input: unknown, ctx: RemoteTaskContext) => unknown;

/** Options of `createRemoteWorker`. */
export interface RemoteWorkerOptions {
  /** Base URL of the orchestrator's HTTP API, e.g. `http://127.0.0.1:8080`. Give it or `urls`, not both. */
  url?: string | undefined;
  /** Base URLs of several orchestrator nodes (a cluster): each serves the tasks of the executions it runs. */
  urls?: string[] | undefined;
  /** The API token (`Authorization: Bearer <token>`). */
  token: string;
  /** Handlers by action name. */
  actions: Record<string, RemoteActionHandler>;
  /** Tasks run at once (each slot polls for one task, runs it, reports, polls again). @default 1 */
  concurrency?: number | undefined;
  /** A label shown in `GET /v1/remote-workers`. */
  name?: string | undefined;
  /** Seconds one poll waits for a task. @default the node's `pollSeconds` (one node), else at most 5 */
  pollSeconds?: number | undefined;
  /** Seconds any other request may take, at most a day (86400). @default 10 */
  requestTimeoutSeconds?: number | undefined;
  /** Where registrations, lost leases and network errors are logged. @default silent */
  logger?: Logger | undefined;
}

/** Options of {@link RemoteWorker.stop}. */
export interface RemoteWorkerStopOptions {
  /** Seconds running tasks may take to finish before their signal aborts (`Infinity`: no limit). @default 0 */
  grace?: number | undefined;
}

/** A remote worker created by `createRemoteWorker`. */
export interface RemoteWorker {
  /**
   * Registers with every node and starts polling. Rejects when a node refuses the registration
   * (4xx); with a `ConflictError` when called twice, a `ClosedError` once `stop()` was called.
   */
  start(): Promise<void>;
  /**
   * Stops polling, lets running tasks finish for `grace` seconds, aborts the rest (they are given
   * back to the node, which hands them to the next poll as the same attempt; a node without that
   * route is told they failed, retryable, with code `WORKER_STOPPED`) and deregisters. Rejects with a
   * ValidationError for a `grace` that is not a number from 0, or an unknown option.
   */
  stop(options?: RemoteWorkerStopOptions): Promise<void>;
  /** Tasks running now. */
  readonly running: number;
  /** Each node's URL and this worker's current registration there (null while unregistered). */
  readonly registrations: { url: string; workerId: string | null }[];
}

/**
 * Longest `requestTimeoutSeconds` (a day). Node runs a timer past 2^31-1 ms (about 24.8 days)
 * after 1 ms, which made every request time out at once.
 */
export const MAX_REQUEST_TIMEOUT_SECONDS = 86_400;

const WORKER_OPTION_KEYS: readonly (keyof RemoteWorkerOptions)[] = [
  'url',
  'urls',
  'token',
  'actions',
  'concurrency',
  'name',
  'pollSeconds',
  'requestTimeoutSeconds',
  'logger',
];

/**
 * Checks `stop`'s options: `grace` is seconds from 0 (`Infinity`: no limit).
 * @throws ValidationError naming the bad option.
 */
export function checkStopOptions(options: RemoteWorkerStopOptions): number {
  const issues = optionsIssues(options, ['grace'], {
    path: 'options',
    expected: 'an object such as { grace: 10 }',
  });
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid stop options');
  const grace = options.grace === undefined ? 0 : options.grace;
  if (typeof grace !== 'number' || !(grace >= 0)) {
    throw new ValidationError(
      [
        {
          path: 'grace',
          message: `expected seconds from 0 (Infinity: no limit), got ${describeValue(grace)}`,
        },
      ],
      'Invalid stop options',
    );
  }
  return grace;
}

function invalid(message: string, path = ''): never {
  throw new ValidationError([{ path, message }], 'Invalid createRemoteWorker options');
}

/**
 * Checks that `options[key]`, when given, is a number of seconds in (0, max]. A string or a
 * boolean must not pass as one (`'5' > 0`): a poll's `waitSeconds: '5'` is refused by the node.
 */
function secondsUpTo(
  options: RemoteWorkerOptions,
  key: 'pollSeconds' | 'requestTimeoutSeconds',
  max: number,
): void {
  const value: unknown = options[key];
  if (value !== undefined && !(typeof value === 'number' && value > 0 && value <= max)) {
    invalid(`\`${key}\` must be a number more than 0 and at most ${max}, got ${describeValue(value)}`, key);
  }
}

/**
 * Checks the options; returns the node URLs without trailing slashes.
 * @throws ValidationError naming the bad option.
 */
export function checkWorkerOptions(options: RemoteWorkerOptions): string[] {
  if (options === null || typeof options !== 'object') {
    invalid(`expected an options object, got ${describeValue(options)}`, 'options');
  }
  const unknown = unknownKeyIssues(options, WORKER_OPTION_KEYS);
  if (unknown.length > 0) throw new ValidationError(unknown, 'Invalid createRemoteWorker options');
  if (options.urls !== undefined && !Array.isArray(options.urls))
    // Its kind only: a URL may carry credentials.
    invalid(`\`urls\` must be an array of URLs, got ${describeKind(options.urls)}`, 'urls');
  // Both given: one would be left unused without a word.
  if (options.urls !== undefined && options.url !== undefined)
    invalid('give `url` or `urls`, not both (add the URL to `urls`)', 'url');
  const urls = options.urls ?? (options.url === undefined ? [] : [options.url]);
  if (urls.length === 0) invalid('give `url` or `urls`', 'url');
  const normalized = urls.map((u) => {
    // Messages show the URL with any credentials masked, and without its query and fragment.
    const shown = displayRefusedUrl(String(u));
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      invalid(`${echo(shown)} is not a URL`, 'url');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      invalid(`${echo(shown)} is not an http(s) URL`, 'url');
    if (parsed.username || parsed.password) {
      // They would never be sent (the bearer token is), yet every log line would show them.
      invalid(
        `${echo(shown)} carries credentials; remove them: the worker authenticates with \`token\``,
        'url',
      );
    }
    if (parsed.search || parsed.hash) {
      // The worker appends its paths: `/?token=x/v1/remote-workers` would reach no route, and
      // every log line would repeat what may be a secret.
      invalid(
        `${echo(displayUrl(parsed))} has a query or fragment; remove it: the worker adds its own paths (/v1/remote-workers/…) to the URL`,
        'url',
      );
    }
    return parsed.href.replace(/\/+$/, '');
  });
  // The same node twice (however written: a trailing slash, its default port) registered the worker
  // with it twice: listed twice, and polled twice as often as the other nodes.
  for (const [i, u] of normalized.entries()) {
    const first = normalized.indexOf(u);
    if (first < i) {
      invalid(`${echo(u)} is given twice (urls[${first}] and urls[${i}]): give each node once`, `urls[${i}]`);
    }
  }
  const tokenIssue = tokenProblem(options.token);
  if (tokenIssue !== null) invalid(`\`token\` ${tokenIssue}`, 'token');
  const { actions } = options;
  if (actions === null || typeof actions !== 'object' || Array.isArray(actions)) {
    invalid(
      `\`actions\` must be an object of handlers by action name, got ${describeValue(actions)}`,
      'actions',
    );
  }
  // The node refuses a longer one (400), which start() would only report as the node's refusal.
  if (
    options.name !== undefined &&
    !(
      typeof options.name === 'string' &&
      options.name.length > 0 &&
      options.name.length <= MAX_WORKER_NAME_LENGTH
    )
  ) {
    invalid(
      `\`name\` must be a non-empty string of at most ${MAX_WORKER_NAME_LENGTH} characters, got ${describeValue(options.name)}`,
      'name',
    );
  }
  // The test of createOrchestrator's and the hub's `logger`: the worker guards each report.
  const { logger } = options;
  if (logger !== undefined && !isLogger(logger)) invalid(loggerRefusal(logger), 'logger');
  const names = Object.keys(actions);
  if (names.length === 0) invalid('`actions` must name at least one handler', 'actions');
  // The node refuses more at registration, which start() would only report as its refusal.
  if (names.length > MAX_WORKER_ACTIONS)
    invalid(`\`actions\` may name at most ${MAX_WORKER_ACTIONS} handlers, got ${names.length}`, 'actions');
  for (const name of names) {
    // The node's rule: a name it refuses at registration (one it cannot take, a built-in, the
    // reserved name) would fail only at start(), as the node's refusal.
    const problem = actionNameProblem(name);
    if (problem) invalid(`action ${echo(name)} ${problem}`, `actions.${name}`);
    if (typeof options.actions[name] !== 'function')
      invalid(
        `action ${echo(name)} must be a function, got ${describeValue(options.actions[name])}`,
        `actions.${name}`,
      );
  }
  const c = options.concurrency ?? 1;
  if (!Number.isInteger(c) || c < 1 || c > 256)
    invalid(`\`concurrency\` must be an integer from 1 to 256, got ${describeValue(c)}`, 'concurrency');
  secondsUpTo(options, 'pollSeconds', MAX_POLL_WAIT_SECONDS);
  secondsUpTo(options, 'requestTimeoutSeconds', MAX_REQUEST_TIMEOUT_SECONDS);
  return normalized;
}
