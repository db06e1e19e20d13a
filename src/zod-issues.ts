/**
 * Turns zod issues into our `Issue` list with readable paths (`steps[2].then`).
 * @module
 */
import type { z } from 'zod';
import { echo } from './echo.js';
import type { Issue } from './errors.js';

/** Formats a path like `steps[2].parallel[0].name`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Converts a zod error into issues, one per problem, with unknown keys named. */
export function issuesFromZod(error: z.ZodError, prefix = ''): Issue[] {
  const issues: Issue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ path: formatPath([...issue.path, key], prefix), message: `unknown key ${echo(key)}` });
      }
      continue;
    }
    issues.push({ path: formatPath(issue.path, prefix), message: issue.message });
  }
  return issues;
}
