/**
 * Fixtures of the HTTP tests: an in-memory orchestrator with a few handlers and the app
 * around it, driven with `app.inject()`. `closeAll()` (in `afterEach`) closes both.
 * @module
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { createOrchestrator, type Orchestrator, type OrchestratorOptions } from '../../src/index.js';
import { type AppOptions, buildApp } from '../../src/server/app.js';
import type { ActionHandler } from '../../src/types.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

/** Waits until the signal aborts, then rejects with its reason. */
const blockUntilAborted: ActionHandler = (_input, ctx) =>
  new Promise((_resolve, reject) => {
    if (ctx.signal.aborted) reject(ctx.signal.reason);
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
  });

let flakyCalls = 0;

/** Handlers every fixture registers. */
export const actions: Record<string, ActionHandler> = {
  greet: (input) => ({ hello: (input as { name?: string })?.name ?? 'nobody' }),
  fail: () => {
    throw new Error('boom');
  },
  flaky: () => {
    flakyCalls++;
    if (flakyCalls % 2 === 1) throw new Error('first try fails');
    return { ok: true };
  },
  reserve: () => ({ reserved: true }),
  block: blockUntilAborted,
};

export interface Fixture {
  orch: Orchestrator;
  app: FastifyInstance;
  /** `app.inject` with the bearer token. */
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
}

const open: Fixture[] = [];

/** An orchestrator on the memory store and its app. */
export async function setup(
  options: { orchestrator?: OrchestratorOptions; app?: Partial<AppOptions> } = {},
): Promise<Fixture> {
  const compensations = { release: () => undefined, ...options.orchestrator?.compensations };
  const orch = await createOrchestrator({
    store: 'memory',
    ...options.orchestrator,
    actions: { ...actions, ...options.orchestrator?.actions },
    compensations,
  });
  const app = await buildApp(orch, { token: TOKEN, ...options.app });
  const fixture: Fixture = {
    orch,
    app,
    call: (o) => app.inject({ ...o, headers: { ...AUTH, ...o.headers } }),
  };
  open.push(fixture);
  return fixture;
}

/** Closes every fixture (call from `afterEach`). */
export async function closeAll(): Promise<void> {
  for (const f of open.splice(0)) {
    await f.app.close();
    await f.orch.close();
  }
}

/** Polls until `check` returns a value. */
export async function until<T>(check: () => Promise<T | null | undefined | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Defines a workflow over HTTP and returns the response body. */
export async function define(f: Fixture, id: string, steps: unknown[]): Promise<Record<string, unknown>> {
  const res = await f.call({ method: 'POST', url: '/v1/workflows', payload: { id, steps } });
  if (res.statusCode !== 201) throw new Error(`define ${id}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Starts an execution over HTTP and returns its id. */
export async function start(f: Fixture, workflowId: string, body: unknown = {}): Promise<string> {
  const res = await f.call({
    method: 'POST',
    url: `/v1/workflows/${workflowId}/executions`,
    payload: body as object,
  });
  if (res.statusCode !== 202) throw new Error(`start ${workflowId}: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** The error envelope of a response, checked for shape. */
export function envelope(res: LightMyRequestResponse): { code: string; message: string } {
  const body = res.json() as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).not.toMatch(/\n\s+at /);
  return body.error;
}

/** Signs in to the dashboard of `f` with the API token; returns the session cookie (`name=value`). */
export async function signedInCookie(f: Fixture): Promise<string> {
  const res = await f.app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' },
    payload: `token=${encodeURIComponent(TOKEN)}`,
  });
  expect(res.statusCode).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0] as string;
}
