/**
 * Whether a request outside `/v1` gets the dashboard's HTML 404 or 405 page, or the API's JSON
 * one, follows the quality values of its `Accept` header (RFC 9110 §12.5.1): `q=0` means "not
 * acceptable" (`text/html;q=0` answered the HTML page), and between HTML and JSON the type with
 * the higher quality wins; on a tie the one named by the more specific range, then the one named
 * first, then JSON.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/index.js';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

/** `Accept` headers answered with the HTML page. */
const HTML = [
  'text/html',
  'text/html;q=0.5',
  'TEXT/HTML; Q=1',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'application/json;q=0.4, text/html;q=0.5',
  '*/*;q=0.1, text/html',
  'text/*',
  'text/html, application/json',
  'text/html, */*',
  '*/*, text/html',
];

/** `Accept` headers answered with the JSON error. */
const JSON_ANSWER = [
  'text/html;q=0',
  'text/html; q=0.0',
  'text/html;q=0.000, */*',
  'text/html;q=0, */*;q=0.8',
  'text/*;q=0, */*',
  'text/html;q=0.5, application/json',
  'application/json, text/html',
  'text/*, application/json',
  'application/json, text/html;q=0.9',
  'text/html;q=0.5, */*;q=0.9',
  '*/*',
  'text/html;q=nope',
  'text/html;q=2',
  'text/htmlx',
  '',
];

describe('the Accept header of a request outside /v1', () => {
  it.each(HTML)('%j gets the HTML 404 and 405 pages', async (accept) => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const missing = await f.app.inject({ method: 'GET', url: '/nowhere', headers: { accept } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    const wrong = await f.app.inject({ method: 'GET', url: '/logout', headers: { accept } });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it.each(JSON_ANSWER)('%j gets the JSON 404 and 405', async (accept) => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const missing = await f.app.inject({ method: 'GET', url: '/nowhere', headers: { accept } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
    const wrong = await f.app.inject({ method: 'GET', url: '/logout', headers: { accept } });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers['content-type']).toMatch(/^application\/json/);
  });
});
