/**
 * The sign-in error is announced (`role=alert`) and now tied to the token field too: the field
 * is described by the error, so a screen reader on the field reads why, and marked invalid when
 * the token was wrong (not when sign-ins are refused for a while). The blank form marks nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

const tokenInput = (body: string) => /<input id="token"[^>]*>/.exec(body)?.[0] ?? '';

describe('sign-in error and the token field', () => {
  it('marks the field invalid and described by the error, only when there is one', async () => {
    const f = await setup({ app: { plugins: [createDashboard({ maxLoginFailures: 1 })] } });
    const blank = await f.app.inject({ url: '/login' });
    expect(blank.statusCode).toBe(200);
    expect(tokenInput(blank.body)).not.toBe('');
    expect(tokenInput(blank.body)).not.toContain('aria-invalid');
    expect(tokenInput(blank.body)).not.toContain('aria-describedby');

    const post = () =>
      f.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' },
        payload: 'token=not-the-token',
      });
    const wrong = await post();
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain(
      '<p class="notice notice-warn" role="alert" id="login-error">Wrong token.</p>',
    );
    expect(tokenInput(wrong.body)).toContain(' aria-invalid="true" aria-describedby="login-error"');

    // Too many tries: the error still describes the field, which is not marked invalid.
    const limited = await post();
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('id="login-error">Too many failed sign-ins.');
    expect(tokenInput(limited.body)).toContain(' aria-describedby="login-error"');
    expect(tokenInput(limited.body)).not.toContain('aria-invalid');
  });
});
