/**
 * The remote-worker protocol at the HTTP level, as docs/remote-workers.md describes it: a
 * "worker" that is nothing but HTTP requests with JSON bodies. The first tests use `fetch`
 * only (no client code from this package); the last drives the same exchange with the `curl`
 * binary in a child process, proving a non-Node process can serve an action.
 */
import { execFile, spawnSync } from 'node:child_process';
import { request, type Server } from 'node:http';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type JsonReply, jsonRequest } from '../helpers/json-http.js';
import { startServer, TOKEN } from './server.js';

const run = promisify(execFile);
const hasCurl = spawnSync('curl', ['--version']).status === 0;

/** One JSON request, exactly as any HTTP client would send it. */
const http = (base: string, method: string, path: string, body?: unknown) =>
  jsonRequest(TOKEN, base, method, path, body);

type Task = {
  taskId: string;
  action: string;
  executionId: string;
  step: string;
  attempt: number;
  input: unknown;
  idempotencyKey: string;
  deadline: string | null;
};

async function defineAndStart(base: string, id: string, steps: unknown[], input: unknown): Promise<string> {
  expect((await http(base, 'POST', '/v1/workflows', { id, steps })).status).toBe(201);
  const started = await http(base, 'POST', `/v1/workflows/${id}/executions`, { input });
  expect(started.status).toBe(202);
  return (started.body as { id: string }).id;
}

async function finalStatus(base: string, id: string): Promise<Record<string, unknown>> {
  const end = Date.now() + 10_000;
  for (;;) {
    const res = await http(base, 'GET', `/v1/executions/${id}`);
    const status = res.body as { status: string };
    if (['completed', 'failed', 'cancelled'].includes(status.status))
      return res.body as Record<string, unknown>;
    if (Date.now() > end) throw new Error(`execution ${id} did not finish: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits (up to 2 s) until the hub holds a queued task for the action `job`. */
async function untilQueued(hub: { snapshot(): { queued: Record<string, number> } }): Promise<void> {
  for (let i = 0; i < 200 && !hub.snapshot().queued.job; i++) await new Promise((r) => setTimeout(r, 10));
}

describe('the raw HTTP protocol (fetch only)', () => {
  it('register → long poll → heartbeat → complete, then deregister', async () => {
    const { url } = await startServer({ hub: { leaseSeconds: 5, pollSeconds: 2 } });

    const reg = await http(url, 'POST', '/v1/remote-workers', { name: 'raw', actions: ['translate'] });
    expect(reg.status).toBe(201);
    const { workerId, leaseSeconds, pollSeconds } = reg.body as Record<string, unknown>;
    expect({ leaseSeconds, pollSeconds }).toEqual({ leaseSeconds: 5, pollSeconds: 2 });

    // The poll waits on the server; the execution starts while it waits.
    const polling = http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 10 });
    const id = await defineAndStart(url, 'translate_it', [{ name: 'translate', timeout: 20, retry: true }], {
      text: 'hallo',
    });
    const polled = await polling;
    expect(polled.status).toBe(200);
    const task = (polled.body as { task: Task }).task;
    expect(task).toMatchObject({
      action: 'translate',
      executionId: id,
      step: 'translate',
      attempt: 1,
      input: { text: 'hallo' },
      idempotencyKey: `${id}:translate`,
    });
    expect(typeof task.deadline).toBe('string');

    const base = `/v1/remote-workers/${workerId}/tasks/${task.taskId}`;
    const beat = await http(url, 'POST', `${base}/heartbeat`);
    expect(beat).toEqual({ status: 200, body: { cancelled: false } });

    const listed = await http(url, 'GET', '/v1/remote-workers');
    expect(listed.body).toMatchObject({
      workers: [{ id: workerId, name: 'raw', actions: ['translate'], tasks: [{ taskId: task.taskId }] }],
      queued: {},
    });

    expect((await http(url, 'POST', `${base}/complete`, { output: { text: 'hello' } })).status).toBe(204);
    const status = await finalStatus(url, id);
    expect(status).toMatchObject({ status: 'completed', outputData: { translate: { text: 'hello' } } });

    expect((await http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 0 })).status).toBe(
      204,
    );
    expect((await http(url, 'DELETE', `/v1/remote-workers/${workerId}`)).status).toBe(204);
    const gone = await http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 0 });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('fail: retryable failures are retried (same idempotency key); a non-retryable one ends the step', async () => {
    const { url } = await startServer({ hub: { leaseSeconds: 5, pollSeconds: 1 } });
    const { workerId } = (await http(url, 'POST', '/v1/remote-workers', { actions: ['charge'] })).body as {
      workerId: string;
    };
    const id = await defineAndStart(
      url,
      'pay',
      [{ name: 'charge', retry: { maxAttempts: 3, initialDelay: 0.05 } }],
      {
        amount: 5,
      },
    );
    const next = async (): Promise<Task> => {
      for (;;) {
        const res = await http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 1 });
        if (res.status === 200) return (res.body as { task: Task }).task;
      }
    };
    const first = await next();
    const failed = await http(url, 'POST', `/v1/remote-workers/${workerId}/tasks/${first.taskId}/fail`, {
      error: { code: 'GATEWAY_TIMEOUT', message: 'bank did not answer' },
    });
    expect(failed.status).toBe(204);
    const second = await next();
    expect(second).toMatchObject({ attempt: 2, idempotencyKey: first.idempotencyKey });
    await http(url, 'POST', `/v1/remote-workers/${workerId}/tasks/${second.taskId}/fail`, {
      error: { code: 'CARD_DECLINED', message: 'declined' },
      retryable: false,
    });
    const status = await finalStatus(url, id);
    expect(status).toMatchObject({
      status: 'failed',
      error: { code: 'CARD_DECLINED', message: 'declined', step: 'charge' },
    });
    // A report for a settled task is refused.
    const late = await http(url, 'POST', `/v1/remote-workers/${workerId}/tasks/${second.taskId}/complete`, {
      output: {},
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'CONFLICT' } });
  });
});

/** Drops the connection of the next poll just as its answer is written (the client went away then). */
function cutNextPollAnswer(server: Server): void {
  let cut = false;
  server.prependListener('request', (req, res) => {
    if (cut || !req.url?.endsWith('/poll')) return;
    cut = true;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      res.socket?.destroy();
      return end(...args);
    }) as typeof res.end;
  });
}

describe('a poll whose client went away', () => {
  it('stops waiting, so the next task goes to a live poll instead of a dead connection', async () => {
    const { url, hub, orch } = await startServer({ hub: { leaseSeconds: 5, pollSeconds: 1 } });
    const { workerId } = (await http(url, 'POST', '/v1/remote-workers', { actions: ['job'] })).body as {
      workerId: string;
    };
    // A client that sends a poll and then drops the connection.
    const abandoned = request(`${url}/v1/remote-workers/${workerId}/poll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    abandoned.on('error', () => undefined);
    abandoned.end(JSON.stringify({ waitSeconds: 20 }));
    const waiting = () => hub.snapshot().workers[0]?.polling ?? 0;
    for (let i = 0; i < 200 && waiting() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(waiting()).toBe(1);
    abandoned.destroy();
    for (let i = 0; i < 200 && waiting() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(waiting()).toBe(0);

    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', { n: 1 });
    await untilQueued(hub);
    expect(hub.snapshot().queued).toEqual({ job: 1 });
    const polled = await http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 1 });
    const task = (polled.body as { task: Task }).task;
    expect(task.executionId).toBe(id);
  });

  it('puts back at once a task whose answer could not be written (the client went away as it was sent)', async () => {
    const { url, hub, orch, app } = await startServer({ hub: { leaseSeconds: 30, pollSeconds: 1 } });
    const { workerId } = (await http(url, 'POST', '/v1/remote-workers', { actions: ['job'] })).body as {
      workerId: string;
    };
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    await untilQueued(hub);
    cutNextPollAnswer(app.server);
    await expect(
      http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 0 }),
    ).rejects.toThrow();
    // Back in the queue for the next poll, not leased to a dead connection for the 30 s lease.
    await untilQueued(hub);
    expect(hub.snapshot().queued).toEqual({ job: 1 });
    const polled = await http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 0 });
    expect((polled.body as { task: Task }).task.executionId).toBe(id);
  });

  it('puts back such a task while the orchestrator drains too, so another poll can still finish its step', async () => {
    const { url, hub, orch, app } = await startServer({ hub: { leaseSeconds: 30, pollSeconds: 1 } });
    const { workerId } = (await http(url, 'POST', '/v1/remote-workers', { actions: ['job'] })).body as {
      workerId: string;
    };
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'job' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    await untilQueued(hub);
    const closed = orch.close({ grace: 10 });
    cutNextPollAnswer(app.server);
    await expect(
      http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 0 }),
    ).rejects.toThrow();
    await untilQueued(hub);
    expect(hub.snapshot().queued).toEqual({ job: 1 });
    const { task } = (await http(url, 'POST', `/v1/remote-workers/${workerId}/poll`, {})).body as {
      task: Task;
    };
    const base = `/v1/remote-workers/${workerId}/tasks/${task.taskId}`;
    expect((await http(url, 'POST', `${base}/complete`, { output: { ok: true } })).status).toBe(204);
    await closed;
    expect(task.executionId).toBe(id);
  });
});

describe('the raw HTTP protocol (curl)', () => {
  it('serves an action with nothing but curl', async () => {
    expect(hasCurl, 'the curl binary is needed (.ci/run installs it)').toBe(true);
    const { url } = await startServer({ hub: { leaseSeconds: 5, pollSeconds: 1 } });
    const curl = async (method: string, path: string, body?: unknown): Promise<JsonReply> => {
      const args = ['-sS', '-X', method, '-H', `Authorization: Bearer ${TOKEN}`, '-w', '\n%{http_code}'];
      if (body !== undefined)
        args.push('-H', 'Content-Type: application/json', '--data', JSON.stringify(body));
      const { stdout } = await run('curl', [...args, `${url}${path}`]);
      const cut = stdout.lastIndexOf('\n');
      const text = stdout.slice(0, cut);
      return { status: Number(stdout.slice(cut + 1)), body: text ? JSON.parse(text) : null };
    };
    const reg = await curl('POST', '/v1/remote-workers', { actions: ['shout'] });
    expect(reg.status).toBe(201);
    const { workerId } = reg.body as { workerId: string };
    const id = await defineAndStart(url, 'loud', [{ name: 'shout' }], { word: 'hi' });
    let polled: JsonReply;
    do polled = await curl('POST', `/v1/remote-workers/${workerId}/poll`, { waitSeconds: 1 });
    while (polled.status === 204);
    expect(polled.status).toBe(200);
    const task = (polled.body as { task: Task }).task;
    const word = (task.input as { word: string }).word;
    const done = await curl('POST', `/v1/remote-workers/${workerId}/tasks/${task.taskId}/complete`, {
      output: { word: word.toUpperCase() },
    });
    expect(done.status).toBe(204);
    expect(await finalStatus(url, id)).toMatchObject({
      status: 'completed',
      outputData: { shout: { word: 'HI' } },
    });
    expect((await curl('DELETE', `/v1/remote-workers/${workerId}`)).status).toBe(204);
  });
});

describe('closing the app', () => {
  it('answers a poll whose body arrives after closing started with 503 CLOSED at once, not after its wait', async () => {
    const { url, app } = await startServer({ hub: { leaseSeconds: 5, pollSeconds: 1 } });
    const { workerId } = (await http(url, 'POST', '/v1/remote-workers', { actions: ['job'] })).body as {
      workerId: string;
    };
    // A poll whose request is routed before the close, and whose body comes after it started.
    const body = JSON.stringify({ waitSeconds: 30 });
    const slow = request(`${url}/v1/remote-workers/${workerId}/poll`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      slow.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      slow.on('error', reject);
    });
    slow.flushHeaders();
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const closed = app.close();
    await new Promise((r) => setTimeout(r, 50));
    slow.end(body);
    const reply = await answered;
    await closed;
    // Not after the poll's 30 s, nor after what a loaded machine adds to answering at once.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'CLOSED' } });
  });
});
