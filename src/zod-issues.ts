/**
 * Turns zod issues into our `Issue` list with readable paths (`steps[2].then`), and words the
 * checks our schemas leave without a message ({@link parseOptions}) so that no zod text reaches a
 * user.
 * @module
 */
import type { z } from 'zod';
import { didYouMean } from './closest-name.js';
import { describeValue } from './describe-value.js';
import { echo } from './echo.js';
import type { Issue } from './errors.js';
import { expectationOf } from './zod-expectation.js';
import { objectKeysAt } from './zod-object-keys.js';

/** Formats a path like `steps[2].parallel[0].name`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/**
 * Converts the zod error of parsing with `schema` into issues, one per problem, with unknown keys
 * named, and beside each the key of that object it most likely stood for (`unknown key 'retyr'
 * (did you mean 'retry'?)`).
 */
export function issuesFromZod(error: z.ZodError, schema: z.core.$ZodType, prefix = ''): Issue[] {
  const issues: Issue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        issues.push({
          path: formatPath([...issue.path, key], prefix),
          message: `unknown key ${echo(key)}${didYouMean(key, known)}`,
        });
      }
      continue;
    }
    issues.push({ path: formatPath(issue.path, prefix), message: issue.message });
  }
  return issues;
}

/**
 * How a check our schemas give no message of its own is worded: `config` as the config keys'
 * ("Expected `workers[0]` to be a string, got 5"), `definition` as a definition's
 * ("must be a string, got 5"), `request` as the HTTP API's ("expected a string, got 5").
 */
export type MessageStyle = 'config' | 'definition' | 'request';

function houseMessage(issue: z.core.$ZodRawIssue, style: MessageStyle): string {
  const expectation = expectationOf(issue);
  const what = expectation?.what ?? 'a valid value';
  // A key left out (or given as undefined) is not a value of the wrong type: say it is required.
  // (A definition's id and an HTTP body are parsed alone, their name in the caller's prefix.)
  const path = issue.path ?? [];
  if (issue.input === undefined && (path.length > 0 || style !== 'config')) {
    const where = style === 'config' ? `\`${formatPath(path)}\` is` : 'is';
    return `${where} required (${what})`;
  }
  const got = expectation?.got ?? describeValue(issue.input);
  if (style === 'config') return `Expected \`${formatPath(issue.path ?? [])}\` to be ${what}, got ${got}`;
  return `${style === 'definition' ? 'must be' : 'expected'} ${what}, got ${got}`;
}

const CONTEXTS = Object.fromEntries(
  (['config', 'definition', 'request'] as const).map((style) => [
    style,
    { error: (issue: z.core.$ZodRawIssue) => houseMessage(issue, style) },
  ]),
) as Record<MessageStyle, z.core.ParseContext<z.core.$ZodIssue>>;

/**
 * The parse options (`schema.safeParse(value, parseOptions('request'))`) under which every check
 * without a message of its own says, in `style`, what it takes and what it got, never zod's text.
 */
export function parseOptions(style: MessageStyle): z.core.ParseContext<z.core.$ZodIssue> {
  return CONTEXTS[style];
}
