/**
 * `buildApp`'s `trustProxy`: the addresses of the reverse proxies in front of the service, whose
 * `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host` are believed (fastify's
 * `trustProxy`). Behind them the request's address is the client's (the dashboard's sign-in limit
 * counts per client, not per proxy), its protocol `https` when the proxy says so (the session
 * cookie is `Secure`), and its host the one the browser asked (the dashboard's same-origin check
 * passes). The headers of a request from any other address are ignored: anyone can send them.
 * @module
 */
import { isIP } from 'node:net';
import { describeValue } from '../describe-value.js';
import type { Issue } from '../errors.js';

/** proxy-addr's names of address ranges. */
const RANGES: ReadonlySet<string> = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** What is wrong with one `trustProxy` entry, or null: an IP address, a CIDR or a range's name. */
export function trustProxyEntryProblem(entry: string): string | null {
  const expected = `Expected an IP address, a CIDR such as 10.0.0.0/8, or loopback, linklocal or uniquelocal, got ${describeValue(entry)}`;
  if (RANGES.has(entry)) return null;
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return expected;
  if (slash < 0) return null;
  const bits = entry.slice(slash + 1);
  const max = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return expected;
  return null;
}

/** The issues of a `trustProxy` option: a non-empty array of entries. */
export function trustProxyIssues(value: unknown): Issue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0) {
    return [
      {
        path: 'trustProxy',
        message: `Expected a non-empty array of proxy addresses such as ['127.0.0.1'], got ${describeValue(value)}`,
      },
    ];
  }
  return value.flatMap((entry: unknown, i) => {
    const problem =
      typeof entry === 'string'
        ? trustProxyEntryProblem(entry)
        : `Expected an IP address, a CIDR or a range's name, got ${describeValue(entry)}`;
    return problem === null ? [] : [{ path: `trustProxy[${i}]`, message: problem }];
  });
}
