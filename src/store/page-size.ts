/**
 * The page of an execution listing (`limit`, `offset`): every store checks it alike, since the
 * Store port is public and SQLite refuses a LIMIT it cannot read as an integer ("datatype
 * mismatch") where the memory store would page on.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { type Issue, ValidationError } from '../errors.js';

/**
 * @throws ValidationError naming `limit` or `offset` when either is not a safe integer (negative
 *   values are allowed: they page as 0).
 */
export function checkPage(filter: { limit: number; offset?: number | undefined }): void {
  const issues: Issue[] = [];
  for (const [path, value] of [
    ['limit', filter.limit],
    ['offset', filter.offset ?? 0],
  ] as const) {
    if (!Number.isSafeInteger(value)) {
      issues.push({
        path,
        message: `expected a safe integer (a negative one counts as 0), got ${describeValue(value)}`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid listExecutions filter');
}
