/**
 * Remote workers where an operator looks: `GET /v1/workers` lists them under `remoteWorkers`
 * (id, name, actions, tasks held, polls waiting, registered and last heard from) and the
 * dashboard's workers page shows them. They were invisible there: only the load balancer's
 * workers and the engine nodes were listed. Neither view names a task (a task id with the worker
 * id completes a task) nor anything of the API token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, RemoteWorkerHub } from '../../src/index.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import {
  closeAll,
  define,
  type Fixture,
  setup,
  signedInCookie,
  start,
  TOKEN,
  until,
} from '../server/helpers.js';

afterEach(closeAll);

async function register(f: Fixture, body: { name?: string; actions: string[] }): Promise<string> {
  const res = await f.call({ method: 'POST', url: '/v1/remote-workers', payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { workerId: string }).workerId;
}

async function pollTask(f: Fixture, workerId: string): Promise<{ taskId: string; idempotencyKey: string }> {
  return until(async () => {
    const res = await f.call({
      method: 'POST',
      url: `/v1/remote-workers/${workerId}/poll`,
      payload: { waitSeconds: 0 },
    });
    return res.statusCode === 200
      ? (res.json() as { task: { taskId: string; idempotencyKey: string } }).task
      : null;
  });
}

interface Listed {
  id: string;
  name?: string;
  actions: string[];
  heldTasks: number;
  polling: number;
  registeredAt: string;
  lastSeen: string;
}

async function remoteWorkers(f: Fixture): Promise<{ listed: Listed[]; body: string }> {
  const res = await f.call({ url: '/v1/workers' });
  expect(res.statusCode, res.body).toBe(200);
  return { listed: (res.json() as { remoteWorkers: Listed[] }).remoteWorkers, body: res.body };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('GET /v1/workers lists remote workers', () => {
  it('lists a registered worker with its actions and the tasks it holds, naming no task', async () => {
    const f = await setup();
    expect((await remoteWorkers(f)).listed).toEqual([]);
    const workerId = await register(f, { name: 'stt-gpu-1', actions: ['remote_stt', 'remote_tts'] });
    const idle = (await remoteWorkers(f)).listed;
    expect(idle).toEqual([
      {
        id: workerId,
        name: 'stt-gpu-1',
        actions: ['remote_stt', 'remote_tts'],
        heldTasks: 0,
        polling: 0,
        registeredAt: expect.stringMatching(ISO),
        lastSeen: expect.stringMatching(ISO),
      },
    ]);

    await define(f, 'voice', [{ name: 'stt', action: 'remote_stt', timeout: 30 }]);
    const id = await start(f, 'voice');
    const task = await pollTask(f, workerId);
    const { listed, body } = await remoteWorkers(f);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: workerId, heldTasks: 1, actions: ['remote_stt', 'remote_tts'] });
    expect(Object.keys(listed[0] as object).sort()).toEqual(
      ['actions', 'heldTasks', 'id', 'lastSeen', 'name', 'polling', 'registeredAt'].sort(),
    );
    // Nothing that acts for the worker or the API: no task (lease) id, idempotency key or token.
    expect(body).not.toContain(task.taskId);
    expect(body).not.toContain(task.idempotencyKey);
    expect(body).not.toContain(TOKEN);
    expect(JSON.stringify(listed)).not.toMatch(/token|secret|lease|task_?id/i);

    const done = await f.call({
      method: 'POST',
      url: `/v1/remote-workers/${workerId}/tasks/${task.taskId}/complete`,
      payload: { output: { text: 'hi' } },
    });
    expect(done.statusCode).toBe(204);
    await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect((await remoteWorkers(f)).listed[0]?.heldTasks).toBe(0);
  });

  it('shows when a worker was last heard from, and drops one the sweep dropped', async () => {
    const clock = new FakeClock();
    const hub = new RemoteWorkerHub({ clock, leaseSeconds: 10, pollSeconds: 5 });
    const f = await setup({ app: { remoteWorkers: hub } });
    hub.attach(f.orch.workflowEngine);
    const registered = new Date(clock.now()).toISOString();
    const workerId = await register(f, { actions: ['remote_stt'] });
    const [listed] = (await remoteWorkers(f)).listed;
    // No name given: none listed.
    expect(listed).toEqual({
      id: workerId,
      actions: ['remote_stt'],
      heldTasks: 0,
      polling: 0,
      registeredAt: registered,
      lastSeen: registered,
    });

    await clock.advance(6000);
    const poll = await f.call({
      method: 'POST',
      url: `/v1/remote-workers/${workerId}/poll`,
      payload: { waitSeconds: 0 },
    });
    expect(poll.statusCode).toBe(204);
    const heard = new Date(clock.now()).toISOString();
    expect((await remoteWorkers(f)).listed[0]).toMatchObject({ registeredAt: registered, lastSeen: heard });

    // Silent for longer than a lease: the sweep drops it, and the listing with it.
    await clock.advance(11_000);
    expect((await remoteWorkers(f)).listed).toEqual([]);
  });

  it('is empty when the app serves no remote workers', async () => {
    const f = await setup({ app: { remoteWorkers: false } });
    expect((await remoteWorkers(f)).listed).toEqual([]);
    expect(
      (await f.call({ method: 'POST', url: '/v1/remote-workers', payload: { actions: ['x'] } })).statusCode,
    ).toBe(404);
  });

  it('is documented in /openapi.json', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    const summary = doc.components.schemas.RemoteWorkerSummary;
    expect(Object.keys(summary?.properties ?? {}).sort()).toEqual(
      ['actions', 'heldTasks', 'id', 'lastSeen', 'name', 'polling', 'registeredAt'].sort(),
    );
    expect(summary?.required?.sort()).toEqual(
      ['actions', 'heldTasks', 'id', 'lastSeen', 'polling', 'registeredAt'].sort(),
    );
    expect(JSON.stringify(doc.paths['/v1/workers']?.get?.responses['200'])).toContain('remoteWorkers');
  });
});

describe('the dashboard workers page', () => {
  it('shows remote workers, escaping their names, with the tasks they hold', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    const hostile = '<script>alert(1)</script>';
    const workerId = await register(f, { name: hostile, actions: ['remote_stt'] });
    await define(f, 'voice', [{ name: 'stt', action: 'remote_stt', timeout: 30 }]);
    await start(f, 'voice');
    const task = await pollTask(f, workerId);
    for (const url of ['/workers', '/ui/workers']) {
      const res = await f.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<h2>Remote workers</h2>');
      expect(res.body, url).toContain(`data-remote-worker="${workerId}" data-held="1"`);
      expect(res.body, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.body, url).not.toContain(hostile);
      expect(res.body, url).toContain('remote_stt');
      expect(res.body, url).not.toContain(task.taskId);
      expect(res.body, url).not.toContain('data-empty="remote-workers"');
    }
  });

  it('says there is none, as its other empty panels do', async () => {
    for (const remote of [undefined, false as const]) {
      const f = await setup({
        app: { plugins: [createDashboard()], ...(remote === undefined ? {} : { remoteWorkers: remote }) },
      });
      const cookie = await signedInCookie(f);
      for (const url of ['/workers', '/ui/workers']) {
        const res = await f.app.inject({ url, headers: { cookie } });
        expect(res.statusCode, url).toBe(200);
        expect(res.body, url).toContain(
          '<p class="muted empty" data-empty="remote-workers">No remote workers registered.</p>',
        );
        expect(res.body, url).not.toContain('<table class="remote-workers">');
      }
    }
  });
});
