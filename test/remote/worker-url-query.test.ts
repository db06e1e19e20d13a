/**
 * A node URL with a query or fragment (`https://orch.example/?token=…`, a token put where a
 * proxy might read it) was taken: the worker appends its paths to the URL, so it registered at
 * `/?token=…/v1/remote-workers` (a 404), and every log line and refusal repeated the token. It is
 * now refused, and no refusal of a URL repeats its query or fragment.
 */
import { describe, expect, it } from 'vitest';
import { createRemoteWorker, ValidationError } from '../../src/index.js';

const SECRET = 'QueryTok3nSecret';

const refusal = (options: { url?: string; urls?: string[] }): ValidationError => {
  try {
    createRemoteWorker({ ...options, token: 'tok', actions: { a: () => 1 } });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(options)} was accepted`);
};

describe('createRemoteWorker: a node URL with a query or fragment', () => {
  it.each([
    [`http://127.0.0.1:8080/?token=${SECRET}`, "'http://127.0.0.1:8080/'"],
    [`https://orch.example/base?access_token=${SECRET}`, "'https://orch.example/base'"],
    [`https://orch.example#${SECRET}`, "'https://orch.example/'"],
  ])('%s is refused, naming the URL without them', (url, shown) => {
    const error = refusal({ urls: ['http://127.0.0.1:8081', url] });
    expect(error.issues).toEqual([
      {
        path: 'url',
        message: `${shown} has a query or fragment; remove it: the worker adds its own paths (/v1/remote-workers/…) to the URL`,
      },
    ]);
    expect(JSON.stringify(error) + error.message).not.toContain(SECRET);
  });

  it.each([
    `http://127.0.0.1:99999/?token=${SECRET}`,
    `ftp://orch.example/?token=${SECRET}`,
    `orch.example/x#${SECRET}`,
  ])('%s, refused for another reason, is named without them', (url) => {
    const error = refusal({ url });
    expect(error.issues[0]?.path).toBe('url');
    expect(JSON.stringify(error) + error.message).not.toContain(SECRET);
  });
});
