/**
 * The SSRF guard of the built-in `http` action: decides whether a URL may be fetched and which
 * IP address the connection must use. It refuses non-HTTP schemes, internal host names
 * (`localhost`, `*.internal`, `metadata.google.internal`, ...) and any host that resolves to a
 * non-public address (see `ip-address.ts`), unless the operator allowlisted the host or the
 * address. The vetted addresses are returned so the caller connects to exactly those addresses:
 * a second DNS answer (DNS rebinding) cannot switch them.
 * @module
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { echo } from '../echo.js';
import { NonRetryableError, OrchestratorError } from '../errors.js';
import { addressBlockReason, type Cidr, cidrContains, parseCidr } from './ip-address.js';

/** One resolved address. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (injectable for tests). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

/** Host names refused by name, before any DNS lookup. */
const BLOCKED_NAMES: ReadonlySet<string> = new Set([
  'localhost',
  'metadata',
  'metadata.google.internal',
  'instance-data',
]);
/** Suffixes of names that only resolve inside a private network. */
const BLOCKED_SUFFIXES = ['.localhost', '.internal', '.local', '.home.arpa'];

/** The default resolver: `dns.lookup` with `all: true`, every address the system resolver returns. */
export const systemResolve: ResolveHost = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** `new URL(...).hostname` without IPv6 brackets and trailing dots, lower-cased. */
export function normalizeHost(hostname: string): string {
  let host = hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  while (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

/** Why a host name is refused by name alone, or null. */
export function hostNameBlockReason(hostname: string): string | null {
  const host = normalizeHost(hostname);
  if (BLOCKED_NAMES.has(host)) return `internal host name ${echo(host)}`;
  const suffix = BLOCKED_SUFFIXES.find((s) => host.endsWith(s));
  return suffix ? `internal host name (*${suffix})` : null;
}

/** Thrown (as a non-retryable step failure) when a URL is refused. */
/** The article of a reason (`an IPv4-mapped loopback address`, `a unique local address`). */
function article(reason: string): 'a' | 'an' {
  return /^(?:[aeio]|un(?!i)|IPv4)/i.test(reason) ? 'an' : 'a';
}

function blocked(host: string, reason: string, via: string): NonRetryableError {
  return new NonRetryableError(
    `Refused to call ${echo(host)}${via}: ${reason}. Add the host to the orchestrator's httpAllowlist (--http-allow of orchestrator run and serve) to allow it.`,
    { code: 'SSRF_BLOCKED' },
  );
}

/** A DNS name: dot-separated labels of letters, digits, `_` and inner `-`. */
const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Why an allowlist entry could never match (a URL, a host with a port, a bad CIDR block), or
 * null when it is a host name, a `*.` wildcard, an IP address or a CIDR block.
 */
export function allowlistEntryProblem(raw: string): string | null {
  const entry = normalizeHost(raw.trim());
  if (parseCidr(entry)) return null;
  const host = entry.includes('://') ? urlHost(entry) : /^(\[[^\]]+\]|[^:]+):\d+$/.exec(entry)?.[1];
  if (host) {
    const what = entry.includes('://') ? 'is a URL: give its host alone' : 'has a port: give the host alone';
    return `'${raw}' ${what} ('${normalizeHost(host)}'); ports are not matched`;
  }
  if (entry.includes('/')) return `'${raw}' is not a valid CIDR block (address/prefix)`;
  const shorthand = ipv4ShorthandProblem(raw, entry);
  if (shorthand !== undefined) return shorthand;
  const name = entry.startsWith('*.') ? entry.slice(2) : entry;
  if (HOST_NAME.test(name)) return null;
  return `'${raw}' is not a host name, a '*.' wildcard, an IP address or a CIDR block`;
}

/**
 * An entry whose last label is a number is an IPv4 address to a URL (WHATWG's host parser), in
 * whatever form: `127.1`, `2130706433`, `0x7f.1`, `010.0.0.1` (octal: 8.0.0.1). A URL's host is
 * compared in its dotted form (`http://127.1/` reaches 127.0.0.1), so such an entry, taken as a
 * name, never matched: it is refused, naming the address to give. Undefined for an entry whose
 * last label is no number, or that is an address in dotted form already.
 */
function ipv4ShorthandProblem(raw: string, entry: string): string | undefined {
  const last = entry.slice(entry.lastIndexOf('.') + 1);
  if (!/^(\d+|0x[0-9a-f]*)$/.test(last)) return undefined;
  const address = urlHost(`http://${entry}/`);
  if (address === undefined || isIP(address) !== 4) {
    return `'${raw}' ends in a number, so a URL takes it for an IPv4 address, and it is not a valid one`;
  }
  if (address === entry) return undefined;
  return `'${raw}' is an IPv4 address in a short or numeric form: give it as ${address}`;
}

/** The host of a URL, or undefined when it is none. */
function urlHost(text: string): string | undefined {
  try {
    return new URL(text).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@link SsrfGuard}. */
export interface SsrfGuardOptions {
  /**
   * Hosts that may be reached even if internal: exact names (`api.local`), wildcard subdomains
   * (`*.corp.example`), IP addresses (`127.0.0.1`, `::1`) or CIDR blocks (`10.0.0.0/8`).
   * @default []
   */
  allowlist?: readonly string[];
  /** DNS resolver. @default {@link systemResolve} */
  resolve?: ResolveHost;
}

/** Vets URLs against the SSRF policy and returns the address to connect to. */
export class SsrfGuard {
  private readonly names = new Set<string>();
  private readonly wildcards: string[] = [];
  private readonly blocks: Cidr[] = [];
  private readonly resolve: ResolveHost;

  constructor(options: SsrfGuardOptions = {}) {
    this.resolve = options.resolve ?? systemResolve;
    for (const raw of options.allowlist ?? []) {
      const entry = normalizeHost(raw.trim());
      if (entry.length === 0) continue;
      const cidr = parseCidr(entry);
      if (cidr) this.blocks.push(cidr);
      else if (entry.startsWith('*.')) this.wildcards.push(entry.slice(1));
      else this.names.add(entry);
    }
  }

  /** Whether the host name itself is allowlisted (exact or wildcard). */
  allowsHost(hostname: string): boolean {
    const host = normalizeHost(hostname);
    return this.names.has(host) || this.wildcards.some((suffix) => host.endsWith(suffix));
  }

  /** Whether an address is allowlisted (listed or inside a listed CIDR block). */
  allowsAddress(address: string): boolean {
    return this.blocks.some((cidr) => cidrContains(cidr, address));
  }

  /**
   * Checks a URL and resolves its host once. Returns the addresses the caller may connect to, in
   * the resolver's order without repeats (one for an IP literal), every one of them vetted: a
   * name is refused whole when any of its answers is refused, so no refused address is returned.
   * `via` says how the URL was reached, for the messages: a redirect's
   * `HTTP 302 from GET https://api.example.com/x` (its target is not the URL the user gave).
   * @throws NonRetryableError with code `SSRF_BLOCKED` naming the host and the reason.
   * @throws OrchestratorError with code `HTTP_NETWORK` (retryable) when the name does not resolve.
   */
  async vet(url: URL, signal?: AbortSignal, via?: string): Promise<ResolvedAddress[]> {
    const from = via === undefined ? '' : ` (redirected to by ${via})`;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      // No allowlist entry enables another scheme, so the message suggests none.
      throw new NonRetryableError(
        `Refused to call a URL with scheme ${echo(url.protocol)}${from}: only http and https are allowed`,
        { code: 'SSRF_BLOCKED' },
      );
    }
    const host = normalizeHost(url.hostname);
    const trusted = this.allowsHost(host);
    const literal = isIP(host);
    if (literal !== 0) {
      const reason = addressBlockReason(host);
      if (reason && !trusted && !this.allowsAddress(host)) throw blocked(host, reason, from);
      return [{ address: host, family: literal === 6 ? 6 : 4 }];
    }
    if (!trusted) {
      const reason = hostNameBlockReason(host);
      if (reason) throw blocked(host, reason, from);
    }
    const answers = await abortable(this.resolveHost(host, from), signal);
    if (answers.length === 0) {
      throw new OrchestratorError('HTTP_NETWORK', `Host ${echo(host)}${from} did not resolve to any address`);
    }
    if (!trusted) {
      // Every answer must be public: a mixed answer would let the connection pick the private one.
      for (const { address } of answers) {
        const reason = addressBlockReason(address);
        if (reason && !this.allowsAddress(address))
          throw blocked(host, `it resolves to ${address}, ${article(reason)} ${reason}`, from);
      }
    }
    const distinct = new Map<string, ResolvedAddress>();
    for (const answer of answers) if (!distinct.has(answer.address)) distinct.set(answer.address, answer);
    return [...distinct.values()];
  }

  private async resolveHost(host: string, from: string): Promise<ResolvedAddress[]> {
    try {
      return await this.resolve(host);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new OrchestratorError(
        'HTTP_NETWORK',
        `Could not resolve ${echo(host)}${from}${typeof code === 'string' ? ` (${code})` : ''}`,
        { cause: error },
      );
    }
  }
}

/** Races a promise against an abort signal (DNS lookups cannot be aborted themselves). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
