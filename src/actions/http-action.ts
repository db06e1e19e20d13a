/**
 * The built-in `http` action (SPEC §3): calls a URL and returns `{ status, headers, body }`.
 *
 * - Input: `{ method?, url, headers?, body?, timeout?, idempotencyHeader? }` (`idempotencyHeader`:
 *   a header name that carries the step's `ctx.idempotencyKey`; `timeout` in seconds, default 10, the
 *   whole call: DNS, connect, redirects and body). The step's own signal (cancellation, step
 *   timeout) aborts it too.
 * - A non-string `body` is sent as JSON; a JSON response body is parsed, text is returned as a
 *   string (decoded in its declared charset, UTF-8 by default), anything else, and any body
 *   that does not decode, as base64 (with `bodyEncoding: 'base64'`).
 * - 5xx, 408, 429, timeouts and network errors fail with a plain (retryable) error coded
 *   `HTTP_5XX`, `HTTP_408`, `HTTP_429`, `HTTP_TIMEOUT` (`HTTP_CONNECT_TIMEOUT` when no address
 *   had connected: nothing was sent) or `HTTP_NETWORK`; other 4xx fail with a
 *   `NonRetryableError` coded `HTTP_4XX` (a refused server certificate `HTTP_TLS`, a status past
 *   599 `HTTP_BAD_STATUS`; a 429's or 503's `Retry-After` sets the error's `retryAfter`), whatever the size of the error's body (a body past
 *   `maxResponseBytes` fails a success only, with `HTTP_RESPONSE_TOO_LARGE`; a redirect's body
 *   is not read at all). An error status's message ends with an excerpt of its body, the
 *   request's secrets and the values of JSON fields named like secrets redacted
 *   (`error-body-excerpt.ts`, `request-secrets.ts`, `secret-fields.ts`), and so is the reason
 *   phrase before it; only its first
 *   8 KiB are read (`ERROR_BODY_READ_LIMIT`).
 * - SSRF: every hop (the URL and each of up to 5 redirects) is vetted by {@link SsrfGuard} and
 *   the connection is pinned to the vetted addresses. A redirect to another origin carries only
 *   the plainly safe headers (`http-redirect.ts`): any other may be a credential.
 * - A host with several addresses: their connects are raced (`connect-race.ts`): tried in the
 *   resolver's order (families alternating), the next one when the previous failed or after
 *   `connectAttemptDelay` (250 ms) without a connection, the earlier ones kept going. The
 *   request is written on the first socket to connect only; never again after it went out nor
 *   on an HTTP status. When none connects, `HTTP_NETWORK` names the host, the addresses tried
 *   and the last error.
 * - A redirect from `https:` to `http:` is refused (`NonRetryableError`, `HTTP_INSECURE_REDIRECT`):
 *   following it would send the request, its headers and body, unencrypted. One without a
 *   `Location`, or with one that is no URL, fails with `HTTP_BAD_REDIRECT` (`NonRetryableError`).
 * @module
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { z } from 'zod';
import { describeValue } from '../describe-value.js';
import { echo } from '../echo.js';
import { NonRetryableError, OrchestratorError, ValidationError } from '../errors.js';
import { parseRetryAfter } from '../recovery/retry-after.js';
import type { ActionHandler, StepContext } from '../types.js';
import { issuesFromZod, parseOptions } from '../zod-issues.js';
import { decodeText, isJsonType, isTextType } from './body-text.js';
import { ConnectAborted, type ConnectAddress, connectTcp, type RaceOptions } from './connect-race.js';
import { displayRefusedUrl, displayUrl } from './display-url.js';
import { errorBodyExcerpt, redactSecrets } from './error-body-excerpt.js';
import { badNameCharacter, headerPath, withoutSecretValues } from './http-input-shape.js';
import { CROSS_ORIGIN_HEADERS, isRedirect, redirectedRequest, redirectTarget } from './http-redirect.js';
import { type RawResponse, sendToAny } from './http-request.js';
import { requestSecrets } from './request-secrets.js';
import { type ResolveHost, SsrfGuard } from './ssrf-guard.js';

/** Options of {@link createHttpAction}. */
export interface HttpActionOptions {
  /** Hosts, addresses or CIDR blocks that may be reached even if private. @default [] */
  allowlist?: readonly string[];
  /** DNS resolver (tests inject one). @default `dns.lookup` with all addresses */
  resolve?: ResolveHost;
  /** Seconds a call may take when the input sets no `timeout`. @default 10 */
  defaultTimeout?: number;
  /** Largest `timeout` an input may ask for, seconds. @default 3600 */
  maxTimeout?: number;
  /**
   * Redirects followed before failing with `HTTP_TOO_MANY_REDIRECTS`: a non-negative integer
   * (anything else is a `ValidationError` when the action is created). @default 5
   */
  maxRedirects?: number;
  /** Largest response body read, bytes. @default 10 MiB */
  maxResponseBytes?: number;
  /**
   * Seconds without a connection to a host's address before the next address is tried too
   * (the earlier attempts keep going: RFC 8305's connection attempt delay). @default 0.25
   */
  connectAttemptDelay?: number;
  /** Starts a TCP connect to one vetted address (tests inject one). @default `net.connect` */
  connect?: ConnectAddress;
}

/** The action's output. */
export interface HttpActionOutput {
  status: number;
  /** Response headers, lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON, a string, or base64 (see `bodyEncoding`); null when empty. */
  body: unknown;
  /** Set when `body` is base64 because the response was binary or did not decode as text. */
  bodyEncoding?: 'base64';
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** Headers the action manages itself. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

function inputSchema(maxTimeout: number) {
  return z.strictObject({
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(
        z.enum(METHODS, {
          error: (issue) => `must be one of ${METHODS.join(', ')}, got ${describeValue(issue.input)}`,
        }),
      )
      .optional(),
    url: z.string().min(1).max(8192),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
    timeout: z.number().positive().max(maxTimeout).optional(),
    idempotencyHeader: z.string().min(1).max(128).optional(),
  });
}

type Input = z.infer<ReturnType<typeof inputSchema>>;

/** A character no header value may hold (Node's rule: controls but tab, and past U+00FF). */
const BAD_VALUE_CHARACTER = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * What is wrong with a header, or null: its name or its value, the value's character by code and
 * index only (a header value may be a secret, so it is not repeated).
 */
function headerProblem(name: string, value: string): string | null {
  try {
    validateHeaderName(name);
  } catch {
    const where = badNameCharacter(name);
    return `the name is not a token (letters, digits and !#$%&'*+-.^_\`|~)${where ? `: ${where}` : ''}`;
  }
  try {
    validateHeaderValue(name, value);
  } catch {
    const bad = BAD_VALUE_CHARACTER.exec(value);
    if (!bad) return 'the value is not one a header can carry';
    const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return `the value has a character a header cannot carry (U+${code} at index ${bad.index})`;
  }
  return null;
}

function parseInput(schema: ReturnType<typeof inputSchema>, input: unknown): { input: Input; url: URL } {
  const parsed = schema.safeParse(input, parseOptions('definition'));
  if (!parsed.success) {
    throw new ValidationError(
      withoutSecretValues(issuesFromZod(parsed.error, schema, 'input'), input),
      'Invalid http input',
    );
  }
  let url: URL;
  try {
    url = new URL(parsed.data.url);
  } catch {
    const shown = echo(displayRefusedUrl(parsed.data.url));
    throw new ValidationError(
      [{ path: 'input.url', message: `is not a valid absolute URL, got ${shown}` }],
      'Invalid http input',
    );
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new ValidationError(
      [{ path: 'input.url', message: 'has a malformed %-escape in its credentials' }],
      'Invalid http input',
    );
  }
  const keyHeader = parsed.data.idempotencyHeader;
  if (keyHeader !== undefined) {
    let problem: string | null = null;
    try {
      validateHeaderName(keyHeader);
    } catch {
      problem = 'is not a valid HTTP header name (a token)';
    }
    if (!problem && RESERVED_HEADERS.has(keyHeader.toLowerCase()))
      problem = 'is set by the http action itself';
    const given = Object.keys(parsed.data.headers ?? {}).some(
      (n) => n.toLowerCase() === keyHeader.toLowerCase(),
    );
    if (!problem && given) problem = 'is also given in input.headers: give the key one way';
    if (problem) {
      throw new ValidationError(
        [{ path: 'input.idempotencyHeader', message: problem }],
        'Invalid http input',
      );
    }
  }
  for (const [name, value] of Object.entries(parsed.data.headers ?? {})) {
    const problem = headerProblem(name, value);
    if (problem) {
      throw new ValidationError([{ path: headerPath(name), message: problem }], 'Invalid http input');
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new ValidationError(
        [{ path: headerPath(name), message: 'is set by the http action itself' }],
        'Invalid http input',
      );
    }
  }
  return { input: parsed.data, url };
}

function buildRequest(
  input: Input,
  idempotencyKey: string | undefined,
): { method: string; headers: Record<string, string>; body?: Buffer } {
  const headers: Record<string, string> = {
    accept: 'application/json, text/plain;q=0.9, */*;q=0.5',
    'user-agent': 'orchestrator-http-action',
  };
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  // The step's key (the same for every attempt and after restarts): a server that honours it
  // runs a retried call once.
  if (input.idempotencyHeader !== undefined && idempotencyKey !== undefined) {
    headers[input.idempotencyHeader.toLowerCase()] = idempotencyKey;
  }
  const method = input.method ?? (input.body === undefined ? 'GET' : 'POST');
  if (input.body === undefined) return { method, headers };
  const text = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  headers['content-type'] ??=
    typeof input.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  return { method, headers, body: Buffer.from(text, 'utf8') };
}

function flattenHeaders(raw: RawResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * JSON and text bodies (and untyped ones) are decoded in their declared charset, UTF-8 by
 * default; a body that does not decode (binary without a type, a wrong charset) is returned as
 * base64 rather than with its bytes replaced by U+FFFD.
 */
function decodeBody(res: RawResponse, method: string): Pick<HttpActionOutput, 'body' | 'bodyEncoding'> {
  if (res.body.length === 0 || method === 'HEAD') return { body: null };
  const type = String(res.headers['content-type'] ?? '');
  if (isTextType(type)) {
    const text = decodeText(res.body, type);
    if (text !== null && isJsonType(type)) {
      try {
        return { body: JSON.parse(text) as unknown };
      } catch {
        return { body: text };
      }
    }
    if (text !== null) return { body: text };
  }
  return { body: res.body.toString('base64'), bodyEncoding: 'base64' };
}

/**
 * The error a finished exchange maps to, or null for a success. Its message ends with what the
 * body said (`error-body-excerpt.ts`), without `secrets` (`request-secrets.ts`), asked for only
 * then; the code and the retry classification are the status's alone.
 */
function statusError(res: RawResponse, method: string, url: URL, secrets: () => string[]): Error | null {
  if (res.status < 400) return null;
  // The reason phrase is the server's, up to its header size (16 KB): cut as a value is, and as
  // the body may, it may repeat what the request sent.
  const sent = secrets();
  const reason = res.statusText ? ` ${echo(redactSecrets(res.statusText, sent), null)}` : '';
  const excerpt = errorBodyExcerpt(res, sent);
  const what = `HTTP ${res.status}${reason} from ${method} ${displayUrl(url)}${excerpt ? `: ${excerpt}` : ''}`;
  // Past 599 is no HTTP status (RFC 9110 §15): the server is not speaking HTTP as asked.
  if (res.status >= 600) return new NonRetryableError(what, { code: 'HTTP_BAD_STATUS' });
  if (res.status >= 500) return withRetryAfter(new OrchestratorError('HTTP_5XX', what), res);
  if (res.status === 408 || res.status === 429) {
    return withRetryAfter(new OrchestratorError(`HTTP_${res.status}`, what), res);
  }
  return new NonRetryableError(what, { code: 'HTTP_4XX' });
}

/**
 * `error` with the wait the response's `Retry-After` header asks for, as `retryAfter` (seconds):
 * its retry comes no sooner (see `retry-after.ts`). Only a 429 and a 503 say when to come back.
 */
function withRetryAfter(error: OrchestratorError, res: RawResponse): OrchestratorError {
  if (res.status !== 429 && res.status !== 503) return error;
  const seconds = parseRetryAfter(res.headers['retry-after'], Date.now());
  return seconds === null ? error : Object.assign(error, { retryAfter: seconds });
}

/**
 * Node's codes for a server certificate the TLS handshake refused: expired, not yet valid,
 * self-signed, from an unknown issuer, for another name. Another attempt meets the same
 * certificate, so the step fails at once (`HTTP_TLS`) rather than after its retries.
 */
const CERTIFICATE_REFUSED =
  /^(CERT_|ERR_TLS_CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT(_LOCALLY)?|DECRYPT_CERT_SIGNATURE|DECODE_ISSUER_PUBLIC_KEY)$|INVALID_CA$|INVALID_PURPOSE$|HOSTNAME_MISMATCH$)/;

function networkError(error: unknown, method: string, url: URL): OrchestratorError {
  if (error instanceof OrchestratorError) return error;
  const code = (error as { code?: unknown })?.code;
  const detail = typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown error';
  if (typeof code === 'string' && CERTIFICATE_REFUSED.test(code)) {
    const reason =
      error instanceof Error && error.message !== code ? ` (${code}: ${error.message})` : ` (${code})`;
    return new NonRetryableError(
      `${method} ${displayUrl(url)} failed: the server's TLS certificate was refused${reason}`,
      { code: 'HTTP_TLS', cause: error },
    );
  }
  return new OrchestratorError('HTTP_NETWORK', `${method} ${displayUrl(url)} failed: ${detail}`, {
    cause: error,
  });
}

/** Runs the exchange, following redirects; every hop is vetted and pinned. */
async function exchange(
  guard: SsrfGuard,
  start: URL,
  first: ReturnType<typeof buildRequest>,
  signal: AbortSignal,
  options: Required<Pick<HttpActionOptions, 'maxRedirects' | 'maxResponseBytes'>> & {
    race: RaceOptions;
    /** The headers a redirect to another origin carries (see `http-redirect.ts`). */
    crossOrigin: ReadonlySet<string>;
  },
): Promise<{ res: RawResponse; url: URL; method: string }> {
  let url = start;
  let request = first;
  /** The redirect that led to `url`, for the guard's messages. */
  let via: string | undefined;
  for (let hop = 0; ; hop++) {
    const vetted = await guard.vet(url, signal, via);
    let res: RawResponse;
    try {
      res = await sendToAny(url, vetted, request, signal, options.maxResponseBytes, options.race, isRedirect);
    } catch (error) {
      // Stopped while connecting: the action tells a connect timeout from a slow answer.
      if (signal.aborted) throw error instanceof ConnectAborted ? error : signal.reason;
      throw networkError(error, request.method, url);
    }
    if (!isRedirect(res.status)) return { res, url, method: request.method };
    const next = redirectTarget(res, request.method, url);
    if (hop >= options.maxRedirects) {
      throw new NonRetryableError(`More than ${options.maxRedirects} redirects from ${displayUrl(start)}`, {
        code: 'HTTP_TOO_MANY_REDIRECTS',
      });
    }
    via = `HTTP ${res.status} from ${request.method} ${displayUrl(url)}`;
    request = redirectedRequest(request, res.status, url, next, options.crossOrigin);
    if (next.origin !== url.origin) {
      next.username = '';
      next.password = '';
    }
    url = next;
  }
}

/** Which of the host's addresses a timed-out connect had tried, for the error message. */
function connectTimedOut({ host, tried, total }: ConnectAborted): string {
  const list = tried.join(', ');
  const where =
    tried.length < total
      ? `(${tried.length} of its ${total} addresses tried: ${list})`
      : total === 1
        ? `at its address (${list})`
        : `at all of its ${total} addresses (${list})`;
  return `connecting to ${echo(host)} timed out ${where}; nothing was sent`;
}

/** `connectAttemptDelay` in milliseconds, checked. */
function attemptDelayMs(seconds: number | undefined): number {
  if (seconds === undefined) return 250;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 60) {
    throw new ValidationError(
      [{ path: 'connectAttemptDelay', message: `must be a number of seconds from 0 to 60, got ${seconds}` }],
      'Invalid http action options',
    );
  }
  return Math.round(seconds * 1000);
}

/** `maxRedirects`, checked: NaN, a fraction or Infinity would never reach the limit. */
function redirectLimit(count: number | undefined): number {
  if (count === undefined) return 5;
  if (!Number.isInteger(count) || count < 0) {
    throw new ValidationError(
      [{ path: 'maxRedirects', message: `must be a non-negative integer, got ${describeValue(count)}` }],
      'Invalid http action options',
    );
  }
  return count;
}

/**
 * Creates the `http` action handler with its SSRF policy.
 * @example
 * ```ts
 * registry.registerBuiltin('http', createHttpAction({ allowlist: config.httpAllowlist }));
 * ```
 */
export function createHttpAction(options: HttpActionOptions = {}): ActionHandler {
  const guard = new SsrfGuard({
    allowlist: options.allowlist ?? [],
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const defaultTimeout = options.defaultTimeout ?? 10;
  const schema = inputSchema(options.maxTimeout ?? 3600);
  const limits = {
    maxRedirects: redirectLimit(options.maxRedirects),
    maxResponseBytes: options.maxResponseBytes ?? 10 * 1024 * 1024,
    race: {
      connect: options.connect ?? connectTcp,
      attemptDelayMs: attemptDelayMs(options.connectAttemptDelay),
    },
  };
  return async (rawInput: unknown, ctx: StepContext): Promise<HttpActionOutput> => {
    const { input, url } = parseInput(schema, rawInput);
    const request = buildRequest(input, ctx?.idempotencyKey);
    const seconds = input.timeout ?? defaultTimeout;
    const timer = AbortSignal.timeout(Math.ceil(seconds * 1000));
    const signal = ctx?.signal ? AbortSignal.any([ctx.signal, timer]) : timer;
    try {
      const keyHeader = input.idempotencyHeader?.toLowerCase();
      const crossOrigin = keyHeader ? new Set([...CROSS_ORIGIN_HEADERS, keyHeader]) : CROSS_ORIGIN_HEADERS;
      const {
        res,
        url: final,
        method,
      } = await exchange(guard, url, request, signal, { ...limits, crossOrigin });
      const failure = statusError(res, method, final, () =>
        requestSecrets(input.headers, [url, final], input.body),
      );
      if (failure) throw failure;
      return { status: res.status, headers: flattenHeaders(res.headers), ...decodeBody(res, method) };
    } catch (error) {
      if (ctx?.signal?.aborted) throw ctx.signal.reason;
      if (timer.aborted && error instanceof ConnectAborted) {
        throw new OrchestratorError(
          'HTTP_CONNECT_TIMEOUT',
          `${request.method} ${displayUrl(url)} did not finish within ${seconds}s: ${connectTimedOut(error)}`,
        );
      }
      if (timer.aborted && error === signal.reason) {
        throw new OrchestratorError(
          'HTTP_TIMEOUT',
          `${request.method} ${displayUrl(url)} did not finish within ${seconds}s`,
        );
      }
      throw error;
    }
  };
}
