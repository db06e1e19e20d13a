/**
 * A filter of the executions page given more than once (`?status=failed&status=cancelled`, typed
 * or kept from an edited address) was read as its first value: the page listed the failed
 * executions only, as if that were what was asked. `GET /v1/executions` refuses it with a 400
 * naming the parameter; the page and its fragment now do the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

const ID = 'exec_00mik5q5c0001a1b2c3d4e5';

describe('executions page filters given twice', () => {
  it('answers 400 naming each parameter given more than once, on the page and its fragment', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    for (const [query, name] of [
      ['status=failed&status=cancelled', 'status'],
      ['workflowId=a&workflowId=b', 'workflowId'],
      [`before=${ID}&before=${ID}`, 'before'],
      [`after=${ID}&after=${ID}`, 'after'],
    ] as const) {
      for (const path of ['/executions', '/ui/executions']) {
        const res = await f.app.inject({ url: `${path}?${query}`, headers: { cookie } });
        expect(res.statusCode, `${path}?${query}`).toBe(400);
        expect(res.body).toContain(`${name}: given more than once; give it once`);
      }
    }
  });

  it('still reads each filter given once, and ignores parameters it does not take', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    const res = await f.app.inject({
      url: '/executions?status=failed&workflowId=w&utm=a&utm=b',
      headers: { cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<option value="failed" selected>');
  });
});
