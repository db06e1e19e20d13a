/**
 * `createDashboard({ allowedOrigins })` compared the entries with the browser's `Origin` as
 * written: `https://ops.example.com/` (a trailing slash), `HTTPS://Ops.Example.com` or
 * `https://ops.example.com:443` matched no request, and every sign-in and cancel through that
 * origin got 403 'Cross-origin request refused.'. Entries are now read as a browser writes an
 * origin; one that is no `scheme://host[:port]` is a ValidationError naming it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { createDashboard } from '../../src/index.js';
import { closeAll, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

async function signInFrom(allowedOrigins: string[], origin: string): Promise<number> {
  const f = await setup({ app: { plugins: [createDashboard({ allowedOrigins })] } });
  const res = await f.app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    payload: `token=${encodeURIComponent(TOKEN)}`,
  });
  return res.statusCode;
}

describe('allowedOrigins', () => {
  it.each([
    ['https://ops.example.com/', 'https://ops.example.com'],
    ['HTTPS://Ops.Example.COM', 'https://ops.example.com'],
    ['https://ops.example.com:443', 'https://ops.example.com'],
    ['http://ops.example.com:80/', 'http://ops.example.com'],
    ['http://ops.example.com:8443', 'http://ops.example.com:8443'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
  ])('lets %s post as the browser origin %s', async (entry, origin) => {
    expect(await signInFrom([entry], origin)).toBe(303);
  });

  it('still refuses other origins, ports and schemes', async () => {
    expect(await signInFrom(['https://ops.example.com/'], 'https://evil.example.com')).toBe(403);
    expect(await signInFrom(['https://ops.example.com/'], 'https://ops.example.com:8443')).toBe(403);
    expect(await signInFrom(['https://ops.example.com/'], 'http://ops.example.com')).toBe(403);
    expect(await signInFrom(['https://ops.example.com/'], 'null')).toBe(403);
  });

  it.each([
    'https://ops.example.com/dashboard',
    'https://ops.example.com/?x=1',
    'https://user:pw@ops.example.com',
    'ops.example.com',
    'ftp://ops.example.com',
    'https://',
    '',
    '*',
  ])('refuses %j, naming the entry', (entry) => {
    let error: unknown;
    try {
      createDashboard({ allowedOrigins: ['https://fine.example.com', entry] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => i.path)).toEqual(['allowedOrigins[1]']);
    expect(issues[0]?.message).toContain(JSON.stringify(entry));
  });
});
