/**
 * Bearer-token authentication. Every route needs `Authorization: Bearer <token>` unless it
 * opts out with `config: { auth: false }` (`/healthz`, `/openapi.json`, `/metrics`); unknown
 * paths under `/v1` need it too, so probing does not reveal which routes exist. Tokens are
 * compared in constant time: both sides are hashed to equal-length SHA-256 digests first. Two
 * `Authorization` headers are ambiguous (Node would keep the first): a request that needs a token
 * and sends two is refused with 400 `VALIDATION` naming the header.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from './errors.js';
import { assertHeaderOnce } from './repeated-header.js';
import { routedPath } from './request-path.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: the route is public (no bearer token). @default true */
    auth?: boolean;
  }
}

/**
 * What an API token may contain: visible ASCII, no whitespace. An `Authorization: Bearer` header
 * carries one such word; a token with a space, a control or a non-ASCII character could never be
 * presented, so it is refused up front.
 */
export const TOKEN_PATTERN = /^[\x21-\x7E]+$/;

/** Why `token` cannot be an API token, or null if it can. */
export function tokenProblem(token: unknown): string | null {
  if (typeof token !== 'string' || token.length === 0) return 'must be a non-empty string';
  if (!TOKEN_PATTERN.test(token)) {
    return 'must be visible ASCII without spaces (an Authorization: Bearer header cannot carry it otherwise)';
  }
  return null;
}

/**
 * The shortest API token `serve` takes from the environment without a warning. The token is all
 * that stands between whoever reaches the port and every execution's data: a shorter one is still
 * used, but `serve` logs that it can be guessed.
 */
export const MIN_TOKEN_LENGTH = 16;

/** Generates a random API token (256 bits, base64url). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** A constant-time check of presented tokens against the expected one. */
export function createTokenVerifier(token: string): (presented: string) => boolean {
  const expected = digest(token);
  return (presented) => timingSafeEqual(digest(presented), expected);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Whether a request for a path that matched no route still needs a token (see the module doc). */
function protectedPath(url: string): boolean {
  // The path as the router reads it: `GET http://host/v1/nope` and `/%761/nope` are /v1 paths too.
  const path = routedPath(url);
  return path === '/v1' || path.startsWith('/v1/');
}

function needsToken(req: FastifyRequest): boolean {
  if (req.is404) return protectedPath(req.url);
  return req.routeOptions.config?.auth !== false;
}

/** Adds the authentication hook to the app (root level, so it covers every route and the 404 handler). */
export function registerAuth(app: FastifyInstance, verify: (presented: string) => boolean): void {
  app.addHook('onRequest', async (req) => {
    if (!needsToken(req)) return;
    assertHeaderOnce(req.raw.rawHeaders, 'authorization');
    const presented = bearerToken(req.headers.authorization);
    if (presented === null || !verify(presented)) throw new UnauthorizedError();
  });
}
