/**
 * Dashboard sessions and CSRF tokens. Signing in with the API token sets a cookie holding a
 * signed session value — never the token itself: `<nonce>.<expiry>.<mac>` with an HMAC-SHA256
 * under a per-app secret. The CSRF token of a session is another HMAC of its nonce, so neither
 * needs server state; signing out revokes the nonce until it would have expired anyway.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { intervalPassed } from '../../clock.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'orch_session';

/** A verified session. */
export interface Session {
  nonce: string;
  /** Epoch ms, a whole number (rounded up from a fractional clock). */
  expiresAt: number;
  /** The token mutating requests of this session must carry. */
  csrf: string;
}

/** Options of {@link SessionManager}. */
export interface SessionOptions {
  /** Key of the session MACs. @default 32 random bytes (sessions end when the process does) */
  secret?: string | Buffer;
  /** Session lifetime in ms. @default 12 hours */
  ttlMs?: number;
  /** Time source (tests). @default Date.now */
  now?: () => number;
}

const MAX_REVOKED = 10_000;

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('base64url');
}

/** Constant-time equality of two strings (false when the lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Creates, verifies and revokes sessions. */
export class SessionManager {
  readonly ttlMs: number;
  private readonly key: Buffer;
  private readonly now: () => number;
  /** Revoked nonces → their expiry. */
  private readonly revoked = new Map<string, number>();

  constructor(options: SessionOptions = {}) {
    const secret = options.secret ?? randomBytes(32);
    // Derive a dedicated key, so a secret shared with anything else is never used directly.
    this.key = createHmac('sha256', secret).update('orchestrator-dashboard-session-v1').digest();
    this.ttlMs = options.ttlMs ?? 12 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** A new session and its cookie value. */
  create(): { session: Session; value: string } {
    const nonce = randomBytes(18).toString('base64url');
    // A whole millisecond, rounded up: a fractional clock (an injected `now`, performance-derived
    // times) would write a '.' into the base-36 expiry, and the cookie would never verify.
    const expiresAt = Math.ceil(this.now() + this.ttlMs);
    const body = `${nonce}.${expiresAt.toString(36)}`;
    return {
      session: { nonce, expiresAt, csrf: this.csrfOf(nonce) },
      value: `${body}.${mac(this.key, `s1.${body}`)}`,
    };
  }

  /** The session a cookie value proves, or null (malformed, forged, expired or revoked). */
  verify(value: string | undefined): Session | null {
    if (typeof value !== 'string' || value.length > 200) return null;
    const parts = value.split('.');
    if (parts.length !== 3) return null;
    const [nonce, exp, sig] = parts as [string, string, string];
    if (!safeEqual(sig, mac(this.key, `s1.${nonce}.${exp}`))) return null;
    const expiresAt = Number.parseInt(exp, 36);
    if (!Number.isFinite(expiresAt) || expiresAt <= this.now()) return null;
    if (this.revoked.has(nonce)) return null;
    return { nonce, expiresAt, csrf: this.csrfOf(nonce) };
  }

  /** Ends a session before it expires. */
  revoke(session: Session): void {
    const now = this.now();
    for (const [nonce, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(nonce);
    if (this.revoked.size >= MAX_REVOKED) {
      const oldest = this.revoked.keys().next().value;
      if (oldest !== undefined) this.revoked.delete(oldest);
    }
    this.revoked.set(session.nonce, session.expiresAt);
  }

  /** Whether `presented` is the CSRF token of `session` (constant time). */
  checkCsrf(session: Session, presented: unknown): boolean {
    return typeof presented === 'string' && safeEqual(presented, session.csrf);
  }

  private csrfOf(nonce: string): string {
    return mac(this.key, `csrf.${nonce}`);
  }
}

/** Cookie attributes of the session cookie. */
export interface CookieOptions {
  /** Adds `Secure` (the request came over https). */
  secure: boolean;
  /** Seconds, rounded up (a cookie must last as long as its session); 0 deletes the cookie. */
  maxAge: number;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure over https. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.ceil(options.maxAge))}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Counts failed sign-ins per client address in fixed windows, so a weak API token cannot be
 * guessed at wire speed. Memory stays bounded: the table is cleared when it grows too large.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: { max?: number; windowMs?: number; now?: () => number } = {}) {
    this.max = options.max ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether `client` may try again now. */
  allowed(client: string): boolean {
    const entry = this.failures.get(client);
    if (!entry) return true;
    if (intervalPassed(this.now(), entry.windowStart, this.windowMs)) {
      this.failures.delete(client);
      return true;
    }
    return entry.count < this.max;
  }

  /** Records a failed attempt. */
  fail(client: string): void {
    const now = this.now();
    const entry = this.failures.get(client);
    if (!entry || intervalPassed(now, entry.windowStart, this.windowMs)) {
      if (this.failures.size >= 10_000) this.failures.clear();
      this.failures.set(client, { count: 1, windowStart: now });
    } else entry.count++;
  }

  /** Forgets a client's failures (after a successful sign-in). */
  reset(client: string): void {
    this.failures.delete(client);
  }
}
