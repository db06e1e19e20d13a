/**
 * Lookups by a string PostgreSQL cannot hold. Its `text` refuses U+0000 ("invalid byte sequence"),
 * so no stored id or workflow id contains one: a lookup by such a string (a mistyped or hostile
 * `GET /v1/executions/%00`) finds nothing, as on the other stores, instead of failing the query
 * with `STORE_UNAVAILABLE`.
 * @module
 */

/** Whether `key` contains U+0000, so that it names no stored row. */
export function namesNothing(key: string | undefined): boolean {
  return key?.includes('\u0000') === true;
}
