/**
 * The methods each registered path answers, so that a request with another method on a known
 * path gets 405 with an `Allow` header instead of the 404 of an unknown path (RFC 9110 §15.5.6).
 * Fed by fastify's `onRoute` hook, so it covers every route, plugins' (the dashboard's) included.
 * @module
 */

interface PathMethods {
  /** Matches a request path against the route's URL, `:param` segments matching any one segment. */
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/** `:name` (one segment) and `*` (the rest) as fastify reads them; anything else literally. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) return '[^/]+';
      if (segment === '*') return '.*';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/** The registered routes' paths and methods. */
export class AllowedMethods {
  private readonly byUrl = new Map<string, PathMethods>();

  /** Records that `url` (a route URL such as `/v1/executions/:id`) answers `methods`. */
  add(url: string, methods: string | readonly string[]): void {
    let entry = this.byUrl.get(url);
    if (entry === undefined) {
      entry = { pattern: patternOf(url), methods: new Set() };
      this.byUrl.set(url, entry);
    }
    for (const m of typeof methods === 'string' ? [methods] : methods) entry.methods.add(m.toUpperCase());
  }

  /** The methods some route answers on `path` (no query string), sorted; empty for an unknown path. */
  for(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: own } of this.byUrl.values()) {
      if (pattern.test(path)) for (const m of own) methods.add(m);
    }
    return [...methods].sort();
  }
}
