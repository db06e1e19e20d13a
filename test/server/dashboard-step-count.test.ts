/**
 * The workflow page's definition heading counts the steps of the version shown: a workflow of one
 * step read 'v1 · 1 steps'.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

/** The muted text after the "Definition" heading of a workflow's page. */
async function definitionHeading(steps: unknown[]): Promise<string> {
  const f = await setup({ app: { plugins: [createDashboard()] } });
  await define(f, 'flow', steps);
  const cookie = await signedInCookie(f);
  const page = await f.app.inject({ url: '/workflows/flow', headers: { cookie } });
  expect(page.statusCode).toBe(200);
  return /<h2>Definition <span class="muted">([^<]*)<\/span><\/h2>/.exec(page.body)?.[1] ?? '';
}

describe('workflow page step count', () => {
  it('says "1 step" for a workflow of one step', async () => {
    expect(await definitionHeading([{ name: 'hi', action: 'greet' }])).toBe('v1 · 1 step');
  });

  it('says "2 steps" for two, the branches of a parallel step not counted apart', async () => {
    const steps = [
      { name: 'hi', action: 'greet' },
      {
        name: 'both',
        parallel: [
          { name: 'a', action: 'greet' },
          { name: 'b', action: 'greet' },
        ],
      },
    ];
    expect(await definitionHeading(steps)).toBe('v1 · 2 steps');
  });
});
