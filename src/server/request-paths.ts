/**
 * The engine's argument checks name its own parameters (`inputData`, `after`, `actions`); behind
 * the HTTP API, a problem names the request's field instead (`body.input`, `query.after`,
 * `body.actions`), as the routes' own checks of the request do, so the client is told what to
 * change in what it sent.
 * @module
 */
import { ValidationError } from '../errors.js';

/** The engine's parameter names a route's call passes, each with the request field it comes from. */
export type RequestFields = Readonly<Record<string, string>>;

/**
 * Runs `call`; a `ValidationError` it throws whose issues name a parameter of `fields` is thrown
 * again with those issues' paths in the request's terms (`inputData[0]` → `body.input[0]`), headed
 * `Invalid request` as the routes' own checks are. Other errors, and refusals of nothing in
 * `fields`, go as they are.
 */
export async function inRequestTerms<T>(fields: RequestFields, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw renamed(error, fields);
  }
}

function renamed(error: unknown, fields: RequestFields): unknown {
  if (!(error instanceof ValidationError)) return error;
  let any = false;
  const issues = error.issues.map((issue) => {
    const m = /^([A-Za-z_$][\w$]*)(.*)$/s.exec(issue.path);
    const to = m && Object.hasOwn(fields, m[1] as string) ? fields[m[1] as string] : undefined;
    if (to === undefined) return issue;
    any = true;
    return { ...issue, path: `${to}${m?.[2] ?? ''}` };
  });
  return any ? new ValidationError(issues, 'Invalid request') : error;
}
