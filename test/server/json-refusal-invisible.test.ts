/**
 * The refusal of a body whose unexpected character is invisible (a second byte-order mark after
 * the one UTF-8 decoding drops, a zero-width space, a no-break space, a lone combining mark)
 * quoted that character as it is: `unexpected character "﻿"` reads as `""` and names nothing.
 * It is now escaped, `"\ufeff"`, as JSON writes a control character; visible ones stay as they are.
 * And a body of two marks and a typo was refused for its second mark, which the parser reads past:
 * the refusal now names the typo, as for a body of one mark.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { jsonBodyRefusal } from '../../src/server/json-refusal.js';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

describe('an invisible unexpected character', () => {
  it.each([
    ['\uFEFF{}', '"\\ufeff" at line 1, column 1'],
    ['{"a":\u200B1}', '"\\u200b" at line 1, column 6'],
    ['{"a":1}\u00AD', '"\\u00ad" at line 1, column 8'],
    ['[\u00A01]', '"\\u00a0" at line 1, column 2'],
    // A lone combining mark joins the character before it and shows in its column.
    ['[\u03011]', '"\\u0301" at line 1, column 1'],
    ['[\u2028]', '"\\u2028" at line 1, column 2'],
    ['[\u{E0001}]', '"\\udb40\\udc01" at line 1, column 2'],
  ])('%j is named escaped', (body, where) => {
    expect(jsonBodyRefusal(body)).toBe(`Request body is not valid JSON: unexpected character ${where}`);
  });

  it('leaves visible characters as they are', () => {
    expect(jsonBodyRefusal('[é]')).toBe(
      'Request body is not valid JSON: unexpected character "é" at line 1, column 2',
    );
    expect(jsonBodyRefusal('[\u{1F600}]')).toBe(
      'Request body is not valid JSON: unexpected character "\u{1F600}" at line 1, column 2',
    );
  });

  it('names what the parser refused after the byte-order marks it reads past, escaped if invisible', async () => {
    const f = await setup();
    const refusal = async (body: string) => {
      const res = await f.call({
        method: 'POST',
        url: '/v1/workflows',
        headers: { 'content-type': 'application/json' },
        payload: Buffer.from(body, 'utf8'),
      });
      expect(res.statusCode).toBe(400);
      return res.json().error.message;
    };
    // Decoding drops one mark and the parser reads past another: a typo after two is named.
    expect(await refusal('\uFEFF\uFEFF{"id": x}')).toBe(
      'Request body is not valid JSON: unexpected character "x" at line 1, column 8',
    );
    expect(await refusal('\uFEFF{"id": x}')).toBe(
      'Request body is not valid JSON: unexpected character "x" at line 1, column 8',
    );
    expect(await refusal('\uFEFF\uFEFF\uFEFF{}')).toBe(
      'Request body is not valid JSON: unexpected character "\\ufeff" at line 1, column 1',
    );
  });
});
