/**
 * Request validation with zod: failures become the engine's `ValidationError`, whose message
 * names every problem with its path (`body.idempotencyKey: ...`, `query.limit: ...`), so the
 * error handler answers 400 `VALIDATION` like any other validation failure.
 * @module
 */
import type { FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { type Issue, ValidationError } from '../errors.js';
import { issuesFromZod, parseOptions } from '../zod-issues.js';

/** Readable prefixes for fastify's request parts. */
const PART_NAMES: Readonly<Record<string, string>> = {
  querystring: 'query',
  params: 'path',
  headers: 'headers',
};

/**
 * Query parameters given more than once (`?limit=1&limit=2` parses to an array). No query of the
 * API takes a list, so each is named as such rather than reported as a bad value. Only those the
 * route takes (`known`): one it does not is left to its schema, which names it unknown.
 */
function repeatedParameters(query: unknown, prefix: string, known: ReadonlySet<string> | null): Issue[] {
  if (query === null || typeof query !== 'object') return [];
  return Object.entries(query)
    .filter(([name, value]) => Array.isArray(value) && (known === null || known.has(name)))
    .map(([name]) => ({ path: `${prefix}.${name}`, message: 'given more than once; give it once' }));
}

/** The keys an object schema takes, or null for another schema (every key counts as taken). */
function keysOf(schema: z.ZodType): ReadonlySet<string> | null {
  return schema instanceof z.ZodObject ? new Set(Object.keys(schema.shape)) : null;
}

/** A fastify validator function for one zod schema. */
export function zodValidator(schema: z.ZodType, httpPart: string | undefined) {
  const prefix = (httpPart && PART_NAMES[httpPart]) ?? httpPart ?? '';
  const known = httpPart === 'querystring' ? keysOf(schema) : null;
  return (data: unknown): { value: unknown } | { error: Error } => {
    if (httpPart === 'querystring') {
      const repeated = repeatedParameters(data, prefix, known);
      if (repeated.length > 0) return { error: new ValidationError(repeated, 'Invalid request') };
    }
    // A request without a body (or with the JSON `null`) reaches body validation as null.
    const result = schema.safeParse(
      httpPart === 'body' && data === null ? undefined : data,
      parseOptions('request'),
    );
    if (result.success) return { value: result.data };
    return { error: new ValidationError(issuesFromZod(result.error, schema, prefix), 'Invalid request') };
  };
}

/** The app's validator compiler: every route schema is a zod schema. */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) =>
  zodValidator(schema, httpPart);
