/**
 * Cancelling without JavaScript: the cancel button had no confirmation then (the `hx-confirm`
 * dialog is htmx's), its form POSTed the cancel at once. The button now GETs a confirmation page
 * (which changes nothing, and carries no CSRF token in its address); only that page's form POSTs
 * the cancel, with the session's CSRF token and from this origin, as every dashboard POST. The
 * execution page it returns to says what the cancel did (it said nothing: htmx's answer does).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, type Fixture, setup, signedInCookie, start, until } from './helpers.js';

afterEach(closeAll);

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function running(f: Fixture): Promise<string> {
  await define(f, 'blocking', [{ name: 'wait', action: 'block' }]);
  const id = await start(f, 'blocking');
  await until(async () => (await f.orch.workflowEngine.getExecutionStatus(id))?.status === 'running');
  return id;
}

const statusOf = async (f: Fixture, id: string) =>
  (await f.orch.workflowEngine.getExecutionStatus(id))?.status;

/** The `<form …>` tag of `html` whose class or id is given, and the form's markup. */
function form(html: string, marker: RegExp): { tag: string; body: string } {
  for (const [whole, tag] of html.matchAll(/(<form [^>]*>)[\s\S]*?<\/form>/g)) {
    if (marker.test(whole)) return { tag: tag as string, body: whole };
  }
  throw new Error(`no form matching ${marker}`);
}

describe('dashboard cancel without JavaScript', () => {
  it('leads from the button to a confirmation page whose own form cancels', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    const id = await running(f);
    const path = `/executions/${id}/cancel`;

    // The button: a GET form (no token in it, so none in the address it opens); htmx POSTs.
    const detail = await f.app.inject({ url: `/executions/${id}`, headers: { cookie } });
    const button = form(detail.body, /id="cancel-execution"/);
    expect(button.tag).toContain('method="get"');
    expect(button.tag).toContain(`action="${path}"`);
    expect(button.tag).toContain(`hx-post="${path}"`);
    expect(button.tag).toContain('hx-confirm=');
    expect(button.body).not.toContain('name=');

    // Opening the confirmation page cancels nothing.
    const confirm = await f.app.inject({ url: `${path}?`, headers: { cookie } });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body.match(/<h1[ >]/g)).toHaveLength(1);
    expect(confirm.body).toContain('Completed steps with a compensation are undone.');
    expect(await statusOf(f, id)).toBe('running');
    const post = form(confirm.body, /id="confirm-cancel"/);
    expect(post.tag).toContain('method="post"');
    expect(post.tag).toContain(`action="${path}"`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(post.body)?.[1] as string;
    expect(confirm.body).toContain(`href="/executions/${id}"`);

    // Its form, sent from another site, is refused; from this origin it cancels.
    const send = (headers: Record<string, string>) =>
      f.app.inject({
        method: 'POST',
        url: path,
        headers: { ...FORM, cookie, ...headers },
        payload: `_csrf=${encodeURIComponent(csrf)}`,
      });
    expect((await send({ 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect(await statusOf(f, id)).toBe('running');
    const done = await send({ 'sec-fetch-site': 'same-origin' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/executions/${id}?cancel=done`);
    expect(await statusOf(f, id)).toBe('cancelled');
    // Where it returns says so, as the answer to htmx's cancel does (not swapped out of band).
    const back = await f.app.inject({ url: done.headers.location as string, headers: { cookie } });
    expect(back.body).toContain('<p class="notice notice-ok" role="status" tabindex="-1">Cancelled.</p>');
    expect(back.body).not.toContain('hx-swap-oob');

    // Sent again (the form resubmitted): not cancelled, and the page returned to says why.
    const again = await send({ 'sec-fetch-site': 'same-origin' });
    expect(again.headers.location).toBe(`/executions/${id}?cancel=refused`);
    const why = await f.app.inject({ url: again.headers.location as string, headers: { cookie } });
    expect(why.body).toContain('Not cancelled: the execution had already finished (cancelled).');

    // Opened again (the back button): nothing to cancel, no form.
    const after = await f.app.inject({ url: path, headers: { cookie } });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Nothing to cancel');
    expect(after.body).not.toContain('id="confirm-cancel"');
  });

  it('says "Cancelled." only of an execution that is: the query of the page it returns to is anyone\'s to write', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    const id = await running(f);
    const made = await f.app.inject({ url: `/executions/${id}?cancel=done`, headers: { cookie } });
    expect(made.statusCode).toBe(200);
    expect(made.body).not.toContain('Cancelled.');
    expect(made.body).not.toContain('class="notice');
    expect(await statusOf(f, id)).toBe('running');
  });

  it('asks to sign in first, and answers 404 for an unknown execution', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const id = await running(f);
    const anonymous = await f.app.inject({ url: `/executions/${id}/cancel` });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(`/executions/${id}/cancel`)}`);
    const cookie = await signedInCookie(f);
    const missing = await f.app.inject({ url: '/executions/nope/cancel', headers: { cookie } });
    expect(missing.statusCode).toBe(404);
    expect(await statusOf(f, id)).toBe('running');
  });
});
