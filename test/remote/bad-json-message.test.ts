/**
 * A worker's request body that is not JSON (a trailing comma, a body cut short) answers 400 saying
 * what is wrong and where (line, column), over real HTTP. The message used to be one sentence for
 * every case, "not valid JSON, or has a "__proto__" … key": it named neither the problem nor where
 * it was, and sent a worker whose JSON merely had a trailing comma looking for a `__proto__` key.
 * A prototype-poisoning key is refused as before, and said so alone. No message repeats the body.
 */
import { describe, expect, it } from 'vitest';
import { startServer, TOKEN } from './server.js';

async function post(url: string, body: string): Promise<{ status: number; code: unknown; message: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  const { error } = (await res.json()) as { error: { code: unknown; message: string } };
  return { status: res.status, code: error.code, message: error.message };
}

describe('a request body that is not JSON', () => {
  it('answers 400 VALIDATION naming the problem and where, without repeating the body', async () => {
    const { url } = await startServer();
    const register = `${url}/v1/remote-workers`;
    const cases: [string, string][] = [
      [
        '{"actions": ["stt"],}',
        'Request body is not valid JSON: expected double-quoted property name at line 1, column 21',
      ],
      [
        '{"actions": ["stt"]',
        "Request body is not valid JSON: expected ',' or '}' after property value at line 1, column 20 (where the body ends)",
      ],
      [
        '{\n  "actions": ["stt"]\n  "name": "gpu-secret"\n}',
        "Request body is not valid JSON: expected ',' or '}' after property value at line 3, column 3",
      ],
      ['{"actions": ', 'Request body is not valid JSON: it ends before its value is complete'],
      ['{"actions": [stt]}', 'Request body is not valid JSON: unexpected character "s" at line 1, column 14'],
      // A byte order mark is dropped when the body is decoded: columns count from the JSON.
      [
        '\uFEFF{"actions": [stt]}',
        'Request body is not valid JSON: unexpected character "s" at line 1, column 14',
      ],
      [
        '{"actions": ["stt"]} x',
        'Request body is not valid JSON: unexpected character "x" at line 1, column 22',
      ],
      [
        "{'actions': ['stt']}",
        "Request body is not valid JSON: expected property name or '}' at line 1, column 2",
      ],
      [
        '{"actions": [\'stt\']}',
        'Request body is not valid JSON: unexpected character "\'" at line 1, column 14',
      ],
    ];
    for (const [body, message] of cases) {
      const res = await post(register, body);
      expect({ body, ...res }).toEqual({ body, status: 400, code: 'VALIDATION', message });
    }
  });

  it('still refuses a prototype-poisoning key, and says that is why', async () => {
    const { url } = await startServer();
    for (const [body, where] of [
      ['{"__proto__": {"admin": true}, "actions": ["stt"]}', "body: has the key '__proto__'"],
      [
        '{"actions": ["stt"], "name": "x", "constructor": {"prototype": {"admin": true}}}',
        "body.constructor: has the key 'prototype'",
      ],
    ]) {
      const res = await post(`${url}/v1/remote-workers`, body as string);
      expect(res).toEqual({
        status: 400,
        code: 'VALIDATION',
        message: `Invalid request: ${where} (refused: it could alter objects the body is copied into)`,
      });
    }
  });
});
