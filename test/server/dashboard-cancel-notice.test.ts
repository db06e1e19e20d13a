/**
 * The notice a cancel from the dashboard answers with when the engine did not cancel: it said
 * 'the execution had already finished' whatever the reason, also for one compensating for a
 * failure (the cancel form of a page shown while it ran, sent as the step failed), which had not
 * finished and ends failed once its compensations ran.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, type Fixture, setup, start, TOKEN } from './helpers.js';

afterEach(closeAll);

const SAME_ORIGIN = { origin: 'http://localhost:80' };

async function signIn(f: Fixture): Promise<{ cookie: string; csrf: string }> {
  const res = await f.app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...SAME_ORIGIN },
    payload: `token=${encodeURIComponent(TOKEN)}`,
  });
  const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
  const page = await f.app.inject({ url: '/', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
  return { cookie, csrf };
}

/** The notice of a cancel sent as htmx sends it. */
async function cancelNotice(f: Fixture, id: string): Promise<string> {
  const { cookie, csrf } = await signIn(f);
  const res = await f.app.inject({
    method: 'POST',
    url: `/executions/${id}/cancel`,
    headers: { cookie, 'x-csrf-token': csrf, 'hx-request': 'true', ...SAME_ORIGIN },
  });
  expect(res.statusCode).toBe(200);
  return /<p class="notice [^"]*" role="status"[^>]*>([^<]*)<\/p>/.exec(res.body)?.[1] ?? '';
}

describe('dashboard cancel notice', () => {
  it('says an execution compensating for a failure is compensating, not that it had finished', async () => {
    let compensationStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      compensationStarted = resolve;
    });
    let finishCompensation!: () => void;
    const hold = () =>
      new Promise<void>((resolve) => {
        finishCompensation = resolve;
        compensationStarted();
      });
    const f = await setup({
      app: { plugins: [createDashboard()] },
      orchestrator: { compensations: { hold } },
    });
    await define(f, 'saga', [
      { name: 'reserve', action: 'reserve', compensation: 'hold' },
      { name: 'charge', action: 'fail' },
    ]);
    const id = await start(f, 'saga');
    await started;
    expect((await f.orch.workflowEngine.getExecutionStatus(id))?.status).toBe('compensating');

    const notice = await cancelNotice(f, id);
    expect(notice).not.toContain('finished');
    expect(notice).toBe(
      'Not cancelled: the execution is compensating for a failure (it ends failed once its compensations ran).',
    );
    finishCompensation();
    expect((await f.orch.workflowEngine.waitForCompletion(id)).status).toBe('failed');
  });

  it('still says a finished execution had finished', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    await define(f, 'quick', [{ name: 'hi', action: 'greet' }]);
    const id = await start(f, 'quick');
    await f.orch.workflowEngine.waitForCompletion(id);
    expect(await cancelNotice(f, id)).toBe('Not cancelled: the execution had already finished (completed).');
  });
});
