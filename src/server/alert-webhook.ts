/**
 * The alert webhook of `orchestrator serve --alert-webhook <url>`: each alert is POSTed as JSON,
 * best-effort. The engine never waits on it: sending starts in the background with a short
 * timeout, a bounded number of requests is in flight (extra alerts are dropped and counted),
 * and failures are logged with the URL's origin only (webhook URLs often carry a secret in
 * their credentials, path or query). The URL is configured by the operator, so it may be
 * loopback or private; it is not subject to the `http` action's SSRF guard.
 * @module
 */

import type { Logger } from '../config.js';
import { echo } from '../echo.js';
import { ValidationError } from '../errors.js';
import { guardedLogger } from '../guarded-logger.js';
import type { Alert } from '../monitoring/alerts.js';
import { redactRefusedUrl } from '../redact-url.js';
import { fetchRefusesPort } from './fetch-bad-ports.js';

/** The heading of the ValidationError a bad URL gets. */
const HEADING = 'Invalid alert webhook options';

/** Options of {@link createAlertWebhook}. */
export interface AlertWebhookOptions {
  /** Where alerts are POSTed (http or https). */
  url: string;
  logger: Logger;
  /** Milliseconds one delivery may take. @default 5000 */
  timeoutMs?: number;
  /** Deliveries in flight at once; more alerts are dropped. @default 16 */
  maxInFlight?: number;
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A running webhook. */
export interface AlertWebhook {
  /** Starts delivering one alert; returns at once. */
  send(alert: Alert): void;
  /** Resolves when every delivery in flight has settled. */
  flush(): Promise<void>;
  /** Alerts dropped because too many deliveries were in flight. */
  readonly dropped: number;
}

/** The URL as it may appear in logs: scheme, host and port only. */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[invalid URL]';
  }
}

/**
 * A URL that does not parse as it may appear in a message: its scheme and host (credentials
 * masked), as the log shows an origin; the path, query and fragment, where a webhook's secret
 * usually is, are left out and said to be.
 */
function refusedOrigin(url: string): string {
  const masked = redactRefusedUrl(url);
  const origin = /^(?:[a-z][a-z0-9+.-]*:)?(?:\/\/)?[^/?#]*/i.exec(masked)?.[0] ?? '';
  const shown = echo(origin);
  return origin === masked ? shown : `${shown} (its path, query and fragment not shown)`;
}

/**
 * Creates the webhook.
 * @throws ValidationError when the URL is not an absolute http(s) URL, or names a port `fetch`
 *   refuses.
 */
export function createAlertWebhook(options: AlertWebhookOptions): AlertWebhook {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    throw new ValidationError(
      [
        {
          path: 'alertWebhook',
          message: `Expected an absolute http(s) URL, got ${refusedOrigin(String(options.url))}`,
        },
      ],
      HEADING,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ValidationError(
      [{ path: 'alertWebhook', message: `Expected an http(s) URL, got scheme '${target.protocol}'` }],
      HEADING,
    );
  }
  if (fetchRefusesPort(target)) {
    // Accepted, every delivery failed with `fetch failed: bad port`.
    throw new ValidationError(
      [
        {
          path: 'alertWebhook',
          message: `Expected a port fetch connects to, got ${target.port}, which it refuses (the Fetch standard's bad ports, such as 6000 and 6667): use another`,
        },
      ],
      HEADING,
    );
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'orchestrator-alert-webhook',
  };
  if (target.username || target.password) {
    // fetch refuses URLs with credentials: send them as Basic auth instead.
    let credentials: string;
    try {
      credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    } catch {
      throw new ValidationError(
        [{ path: 'alertWebhook', message: 'Malformed %-escape in the URL credentials' }],
        HEADING,
      );
    }
    headers.authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  // A report that throws (a log destination that fails) is dropped: out of a delivery it was an
  // unhandled rejection, which ends the process; out of `send`, a throw into the engine's emit.
  const logger = guardedLogger(options.logger);
  const href = target.href;
  const origin = target.origin;
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxInFlight = options.maxInFlight ?? 16;
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;

  async function deliver(alert: Alert): Promise<void> {
    try {
      const res = await doFetch(href, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...alert, at: alert.at.toISOString() }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) {
        logger.warn({ webhook: origin, status: res.status, alert: alert.type }, 'alert webhook refused');
      }
    } catch (error) {
      const e = error as { name?: string };
      logger.warn(
        {
          webhook: origin,
          alert: alert.type,
          error: e?.name === 'TimeoutError' ? 'timeout' : failureText(error),
        },
        'alert webhook failed',
      );
    }
  }

  return {
    send(alert) {
      if (inFlight.size >= maxInFlight) {
        dropped++;
        logger.warn({ webhook: origin, alert: alert.type, dropped }, 'alert webhook busy; alert dropped');
        return;
      }
      const delivery = deliver(alert).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    },
    async flush() {
      await Promise.allSettled([...inFlight]);
    },
    get dropped() {
      return dropped;
    },
  };
}

/**
 * Why a delivery failed: fetch says only 'fetch failed' and keeps the reason (connection refused,
 * an unknown host, a TLS error) as its `cause`, so the cause's message is added. Neither names the
 * URL's credentials or path (they are sent as a header and not logged).
 */
function failureText(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') return undefined;
  const cause = causeText((error as { cause?: unknown } | null)?.cause);
  return cause ? `${message}: ${cause}` : message;
}

/**
 * A cause's message; for a host of several addresses (`localhost` as ::1 and 127.0.0.1) Node
 * tries each and gives an AggregateError with an empty message: its attempts' messages instead.
 */
function causeText(cause: unknown): string | undefined {
  const c = cause as { message?: unknown; errors?: unknown; code?: unknown } | null | undefined;
  if (typeof c?.message === 'string' && c.message !== '') return c.message;
  if (Array.isArray(c?.errors)) {
    const each = c.errors
      .map((e) => (e as { message?: unknown } | null)?.message)
      .filter((m): m is string => typeof m === 'string' && m !== '');
    if (each.length > 0) return each.join('; ');
  }
  return typeof c?.code === 'string' ? c.code : undefined;
}
