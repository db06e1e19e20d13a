/**
 * Checks of the dashboard's options, run when it is created: its durations, its other values
 * (page size, sign-in limit, origins, ...) and its keys (a misspelt one is refused by name).
 * @module
 */
import { MAX_SECONDS } from '../../definition/schema.js';
import { describeKind, describeValue } from '../../describe-value.js';
import type { Issue } from '../../errors.js';
import { ValidationError } from '../../errors.js';
import { optionsIssues } from '../../unknown-keys.js';
import { originProblem } from '../origins.js';

/** Most chart buckets (`windowMinutes` / `bucketSeconds`): each is kept in memory and drawn. */
export const MAX_CHART_BUCKETS = 10_000;

/** The duration options {@link checkDashboardOptions} reads. */
export interface DashboardDurations {
  sessionTtlSeconds?: number;
  bucketSeconds?: number;
  windowMinutes?: number;
  alertWindowMinutes?: number;
}

/** Every option of `createDashboard` (`DashboardOptions`). */
const KEYS = [
  'secret',
  'sessionTtlSeconds',
  'nodes',
  'pageSize',
  'bucketSeconds',
  'windowMinutes',
  'alertWindowMinutes',
  'allowedOrigins',
  'secureCookie',
  'maxLoginFailures',
  'now',
] as const;

/** The most executions per page (`listExecutions`' limit). */
const MAX_PAGE_SIZE = 10_000;

const integerIn = (min: number, max: number) => (v: unknown) =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

/** The options other than durations: each one's test and what it expects. */
const OTHER_RULES: Record<string, [test: (v: unknown) => boolean, expected: string]> = {
  secret: [
    (v) => (typeof v === 'string' || Buffer.isBuffer(v)) && v.length > 0,
    'a non-empty string or Buffer',
  ],
  nodes: [(v) => typeof v === 'function', 'a function returning the nodes'],
  // 0, NaN or 1.5 made the executions page answer 400 on every load.
  pageSize: [integerIn(1, MAX_PAGE_SIZE), `an integer from 1 to ${MAX_PAGE_SIZE}`],
  // A string was searched for substrings: any origin that is part of it could POST.
  allowedOrigins: [
    (v) => Array.isArray(v) && v.every((o) => typeof o === 'string'),
    "an array of origins such as ['https://ops.example.com']",
  ],
  secureCookie: [(v) => typeof v === 'boolean', 'a boolean'],
  // NaN locked an address out after its first failed sign-in.
  maxLoginFailures: [integerIn(1, Number.MAX_SAFE_INTEGER), 'an integer of at least 1'],
  now: [(v) => typeof v === 'function', 'a function returning milliseconds'],
};

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** An issue unless `value` is undefined or a number above (or from) 0 and at most `max`. */
function duration(
  issues: Issue[],
  key: string,
  value: unknown,
  unit: string,
  max: number,
  zeroAllowed = false,
): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && (zeroAllowed ? value >= 0 : value > 0) && value <= max;
  if (!ok) {
    issues.push({
      path: key,
      message: `Expected \`${key}\` to be a number of ${unit} ${zeroAllowed ? 'from 0' : 'above 0'} and at most ${max}, got ${describe(value)}`,
    });
  }
}

/**
 * Checks the options' keys and values; the durations: a session lasts at most 1e9 s (longer, its signed expiry no longer fits
 * the cookie: every sign-in was refused at once), a chart has at most {@link MAX_CHART_BUCKETS}
 * buckets, an alert stays on the overview at most 1e9 s.
 * @throws ValidationError naming every bad option and its bound.
 */
export function checkDashboardOptions(options: DashboardDurations): void {
  const shape = optionsIssues(options, KEYS, { path: 'options', expected: 'an object' });
  if (shape.length > 0) throw new ValidationError(shape, 'Invalid dashboard options');
  const issues: Issue[] = [];
  for (const [key, [test, expected]] of Object.entries(OTHER_RULES)) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && !test(value)) {
      // The cookie key by its kind only: a refused one (a number, say) may still be the secret.
      const shown = key === 'secret' ? describeKind(value) : describeValue(value);
      issues.push({ path: key, message: `Expected \`${key}\` to be ${expected}, got ${shown}` });
    }
  }
  // Each origin: a path or a typo would match no request, and every POST through it got 403.
  const origins = (options as { allowedOrigins?: unknown }).allowedOrigins;
  if (Array.isArray(origins) && !issues.some((i) => i.path === 'allowedOrigins')) {
    origins.forEach((origin: string, i) => {
      const problem = originProblem(origin);
      if (problem !== null) issues.push({ path: `allowedOrigins[${i}]`, message: problem });
    });
  }
  duration(issues, 'sessionTtlSeconds', options.sessionTtlSeconds, 'seconds', MAX_SECONDS);
  duration(issues, 'bucketSeconds', options.bucketSeconds, 'seconds', MAX_SECONDS);
  duration(issues, 'windowMinutes', options.windowMinutes, 'minutes', MAX_SECONDS / 60);
  duration(issues, 'alertWindowMinutes', options.alertWindowMinutes, 'minutes', MAX_SECONDS / 60, true);
  if (issues.length === 0) {
    const bucketMs = (options.bucketSeconds ?? 5) * 1000;
    const buckets = Math.round(((options.windowMinutes ?? 10) * 60_000) / bucketMs);
    if (buckets > MAX_CHART_BUCKETS) {
      issues.push({
        path: 'windowMinutes',
        message: `Expected \`windowMinutes\` to span at most ${MAX_CHART_BUCKETS} buckets of \`bucketSeconds\`, got ${buckets}`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid dashboard options');
}
