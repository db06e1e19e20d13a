/**
 * The remote worker's HTTP transport: JSON requests over `node:http(s)` with the worker's own
 * keep-alive agents (so stopping the worker closes every socket it opened), a deadline on every
 * request, and a cap on answer sizes.
 * @module
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Largest answer read (a task's input is at most the node's body limit, 1 MiB by default). */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** An HTTP answer the client did not expect. */
export class RequestError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  /** `message`: what was wrong with an answer whose status looked fine. */
  constructor(status: number, body: unknown, message?: string) {
    const err = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    super(message ?? (typeof err?.message === 'string' ? err.message : `HTTP ${status}`));
    this.status = status;
    this.code = typeof err?.code === 'string' ? err.code : undefined;
  }
}

/** A status and the parsed JSON body (undefined when empty or not JSON). */
export interface JsonReply {
  status: number;
  body: unknown;
}

/**
 * Whether the node answered 503 `CLOSED`: its orchestrator is closed (or its API closing), and a
 * task it handed out is lost to it — unlike another 5xx (a proxy's 503), which may pass.
 */
export function isClosedAnswer(reply: JsonReply): boolean {
  return reply.status === 503 && new RequestError(reply.status, reply.body).code === 'CLOSED';
}

/** Sends JSON requests with a bearer token. */
export class HttpTransport {
  private readonly token: string;
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };

  constructor(token: string) {
    this.token = token;
  }

  /** Closes every socket. */
  destroy(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** `body`: a value to serialize, or a JSON string as is. Rejects on network errors and timeouts. */
  request(
    target: string,
    method: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<JsonReply> {
    return new Promise((resolve, reject) => {
      const url = new URL(target);
      const secure = url.protocol === 'https:';
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string | number> = {
        authorization: `Bearer ${this.token}`,
        accept: 'application/json',
      };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const req = (secure ? httpsRequest : httpRequest)(url, {
        method,
        headers,
        agent: secure ? this.agents.https : this.agents.http,
        ...(signal ? { signal } : {}),
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('response too large'));
          else chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.end(payload);
    });
  }
}
