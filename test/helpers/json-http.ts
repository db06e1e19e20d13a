/**
 * One JSON request to the service over real HTTP, exactly as any HTTP client would send it, with
 * a bearer token; the reply's status and parsed body (null when empty).
 */

/** A reply: its status and its JSON body (null when the body is empty). */
export interface JsonReply<B = unknown> {
  status: number;
  body: B;
}

/** Sends `body` (when given) as JSON to `base` + `path` with `token`. */
export async function jsonRequest<B = unknown>(
  token: string,
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonReply<B>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as B };
}
