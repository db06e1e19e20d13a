/**
 * Checks of the dashboard's duration options, run when it is created.
 * @module
 */
import { MAX_SECONDS } from '../../definition/schema.js';
import type { Issue } from '../../errors.js';
import { ValidationError } from '../../errors.js';

/** Most chart buckets (`windowMinutes` / `bucketSeconds`): each is kept in memory and drawn. */
export const MAX_CHART_BUCKETS = 10_000;

/** The duration options {@link checkDashboardOptions} reads. */
export interface DashboardDurations {
  sessionTtlSeconds?: number;
  bucketSeconds?: number;
  windowMinutes?: number;
  alertWindowMinutes?: number;
}

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
 * Checks the durations: a session lasts at most 1e9 s (longer, its signed expiry no longer fits
 * the cookie: every sign-in was refused at once), a chart has at most {@link MAX_CHART_BUCKETS}
 * buckets, an alert stays on the overview at most 1e9 s.
 * @throws ValidationError naming every bad option and its bound.
 */
export function checkDashboardOptions(options: DashboardDurations): void {
  const issues: Issue[] = [];
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
