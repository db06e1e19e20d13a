/**
 * Content negotiation between HTML and JSON by an `Accept` header (RFC 9110 §12.5.1): each type
 * takes the quality of the most specific media range that matches it (`text/html` before `text/*`
 * before `*\/*`), `q=0` makes it not acceptable, and the type of higher quality wins; on a tie the
 * one matched by the more specific range, then the one whose range comes first in the header.
 * Ranges with a quality that is not a number from 0 to 1 are ignored, as are media-type parameters
 * other than `q` (the pages and the JSON have none a client would ask for).
 * @module
 */

/** One media range of an `Accept` header. */
interface MediaRange {
  type: string;
  subtype: string;
  /** Its quality, 0 to 1. */
  q: number;
  /** Its place in the header, from 0. */
  order: number;
}

/** How a type matched an `Accept` header. */
interface Match {
  q: number;
  /** 2 for `type/subtype`, 1 for `type/*`, 0 for `*\/*`. */
  specificity: number;
  order: number;
}

const QUALITY = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** The media ranges of `accept`, leaving out malformed ones. */
function mediaRanges(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const [order, part] of accept.split(',').entries()) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const [type, subtype, extra] = range.split('/');
    if (!type || !subtype || extra !== undefined) continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const [name, value = ''] = param.split('=').map((s) => s.trim());
      if (name !== 'q') continue;
      valid = QUALITY.test(value);
      q = Number(value);
    }
    if (valid) ranges.push({ type, subtype, q, order });
  }
  return ranges;
}

/** How `mediaType` (`type/subtype`, lower case) matches `ranges`, or undefined if no range does. */
function match(ranges: readonly MediaRange[], mediaType: string): Match | undefined {
  const [type, subtype] = mediaType.split('/');
  let best: Match | undefined;
  for (const range of ranges) {
    let specificity: number;
    if (range.type === type && range.subtype === subtype) specificity = 2;
    else if (range.type === type && range.subtype === '*') specificity = 1;
    else if (range.type === '*' && range.subtype === '*') specificity = 0;
    else continue;
    // The most specific range decides; among equally specific ones, the first.
    if (best === undefined || specificity > best.specificity)
      best = { q: range.q, specificity, order: range.order };
  }
  return best;
}

/**
 * Whether `accept` (a request's `Accept` header) prefers `text/html` to `application/json`. No
 * header, or one that accepts neither, prefers JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const ranges = mediaRanges(accept);
  const html = match(ranges, 'text/html');
  if (html === undefined || html.q === 0) return false;
  const json = match(ranges, 'application/json');
  if (json === undefined || html.q !== json.q) return html.q > (json?.q ?? 0);
  if (html.specificity !== json.specificity) return html.specificity > json.specificity;
  return html.order < json.order;
}
