/**
 * `GET /v1/executions` sends the JSON text it measured for the byte budget: each execution is
 * turned into JSON once (it used to be stringified to be measured, then the whole page again by
 * the response serializer), and the page is byte for byte what serializing the page object gives,
 * as the route's response schema orders it (the same text as before).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { toJson } from '../../src/server/json.js';
import { jsonWithList } from '../../src/server/page-budget.js';
import { executionStatusSchema } from '../../src/server/schemas.js';
import { closeAll, define, setup, start } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
  return closeAll();
});

/** Three finished executions whose inputs carry `marker-<i>`; their ids, oldest first. */
async function threeExecutions(): Promise<{ f: Awaited<ReturnType<typeof setup>>; ids: string[] }> {
  const f = await setup();
  await define(f, 'hello', [{ name: 'greet' }]);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const id = await start(f, 'hello', {
      input: { name: `marker-${i}`, 'Ω "quoted"': ['\u2028', null, 1.5] },
    });
    await f.orch.workflowEngine.waitForCompletion(id);
    ids.push(id);
  }
  return { f, ids };
}

describe('GET /v1/executions page text', () => {
  it.each([
    ['the first page', 'limit=2', { offset: 0, limit: 2 }],
    ['a page by offset', 'limit=5&offset=1', { offset: 1, limit: 5 }],
    ['an empty page', 'limit=5&offset=9', { offset: 9, limit: 5 }],
  ])('is byte for byte JSON.stringify of the page object: %s', async (_what, query, window) => {
    const { f } = await threeExecutions();
    const res = await f.call({ url: `/v1/executions?${query}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const listed = await f.orch.workflowEngine.listExecutions(window);
    const body = JSON.parse(res.body) as { nextBefore: string | null; prevAfter: string | null };
    const page = {
      executions: listed.map((status) => z.encode(executionStatusSchema, toJson(status) as never)),
      total: 3,
      limit: window.limit,
      offset: window.offset,
      nextBefore: body.nextBefore,
      cut: false,
      prevAfter: body.prevAfter,
    };
    expect(res.body).toBe(JSON.stringify(page));
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
  });

  it('is byte for byte JSON.stringify of the page object with cursors', async () => {
    const { f, ids } = await threeExecutions();
    const res = await f.call({ url: `/v1/executions?after=${ids[0]}&limit=1` });
    const listed = await f.orch.workflowEngine.listExecutions({ after: ids[0] as string, limit: 1 });
    const page = {
      executions: listed.map((status) => z.encode(executionStatusSchema, toJson(status) as never)),
      total: 3,
      limit: 1,
      offset: 0,
      nextBefore: ids[1],
      cut: false,
      prevAfter: ids[1],
    };
    expect(res.body).toBe(JSON.stringify(page));
  });

  it('turns each execution into JSON once', async () => {
    const { f } = await threeExecutions();
    const stringify = vi.spyOn(JSON, 'stringify');
    const res = await f.call({ url: '/v1/executions?limit=10' });
    expect(res.statusCode).toBe(200);
    const texts = stringify.mock.results.map((result) => String(result.value));
    for (let i = 0; i < 3; i++) {
      expect(
        texts.filter((text) => text.includes(`marker-${i}`)),
        `marker-${i}`,
      ).toHaveLength(1);
    }
  });
});

describe('jsonWithList', () => {
  // Keys that are no array index: an object puts those first, whatever the order they were set in.
  it('is JSON.stringify of the object with the pieces parsed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue()),
        fc.dictionary(
          fc.string().map((key) => `k${key}`),
          fc.jsonValue(),
        ),
        (items, rest) => {
          const pieces = items.map((item) => JSON.stringify(item));
          const parsed = pieces.map((piece) => JSON.parse(piece) as unknown);
          expect(jsonWithList('list', pieces, rest)).toBe(JSON.stringify({ list: parsed, ...rest }));
        },
      ),
    );
  });
});
