/**
 * The generated OpenAPI document: 3.1, every route of the app with its parameters and
 * responses, bearer security on protected routes only, every `$ref` resolvable, and every
 * status a route answers (here: once the orchestrator is closed) documented.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

const ROUTES = [
  'POST /v1/workflows',
  'GET /v1/workflows',
  'GET /v1/workflows/{id}',
  'POST /v1/workflows/{id}/executions',
  'GET /v1/workflows/{id}/performance',
  'GET /v1/executions',
  'GET /v1/executions/{id}',
  'POST /v1/executions/{id}/cancel',
  'GET /v1/metrics',
  'GET /v1/workers',
  'GET /v1/alerts',
  'POST /v1/remote-workers',
  'GET /v1/remote-workers',
  'DELETE /v1/remote-workers/{workerId}',
  'POST /v1/remote-workers/{workerId}/poll',
  'POST /v1/remote-workers/{workerId}/tasks/{taskId}/heartbeat',
  'POST /v1/remote-workers/{workerId}/tasks/{taskId}/complete',
  'POST /v1/remote-workers/{workerId}/tasks/{taskId}/release',
  'POST /v1/remote-workers/{workerId}/tasks/{taskId}/fail',
  'GET /metrics',
  'GET /openapi.json',
  'GET /healthz',
  'GET /readyz',
];

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
};
type Operation = {
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
  security?: unknown[];
  summary?: string;
};

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolve(doc: Doc, ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

describe('GET /openapi.json', () => {
  it('documents every route of the app, and nothing else', async () => {
    const f = await setup();
    const res = await f.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = res.json() as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Orchestrator API');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...ROUTES].sort());
    for (const route of ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      expect(f.app.hasRoute({ method, url: path.replace(/\{(\w+)\}/g, ':$1') }), route).toBe(true);
    }
  });

  it('is a structurally valid document: parameters, bodies, responses, security and refs', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    expect(doc.components.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer' } });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        expect(op.summary, where).toBeTruthy();
        expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          const param = op.parameters?.find((p) => p.in === 'path' && `{${p.name}}` === name);
          expect(param?.required, `${where} ${name}`).toBe(true);
        }
        const isPublic = ['/healthz', '/readyz', '/openapi.json', '/metrics'].includes(path);
        if (isPublic) expect(op.security, where).toEqual([]);
        else {
          expect(op.security, where).toBeUndefined();
          expect(op.responses['401'], where).toBeDefined();
        }
      }
    }
    expect(doc.paths['/v1/workflows']?.post?.requestBody?.content['application/json']).toBeDefined();
    const listParams = doc.paths['/v1/executions']?.get?.parameters?.map((p) => `${p.in}:${p.name}`);
    expect(listParams).toEqual([
      'query:status',
      'query:workflowId',
      'query:limit',
      'query:offset',
      'query:before',
      'query:after',
    ]);
    expect(doc.paths['/metrics']?.get?.responses['200']).toMatchObject({ content: { 'text/plain': {} } });
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const ref of all) expect(resolve(doc, ref), ref).toBeDefined();
    for (const name of [
      'Error',
      'WorkflowDefinition',
      'ExecutionStatus',
      'MetricsSnapshot',
      'WorkflowPerformance',
    ]) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
  });

  it('says of each query parameter that accepts an empty value that it does', async () => {
    const f = await setup();
    await f.orch.workflowEngine.defineWorkflow('wf', [{ name: 'greet' }]);
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    let checked = 0;
    for (const route of ROUTES.filter((r) => r.startsWith('GET /v1/'))) {
      const path = route.slice('GET '.length);
      for (const param of doc.paths[path]?.get?.parameters ?? []) {
        if (param.in !== 'query') continue;
        const url = `${path.replace('{id}', 'wf')}?${param.name}=`;
        const res = await f.call({ url });
        // The schema describes a given value (an enum, minLength 1, ...): an empty one that is
        // accepted must be said to be so, or a client would think it refused.
        if (res.statusCode === 200) {
          checked++;
          expect(param.description ?? '', `${url} answered 200`).toMatch(/empty/);
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('documents the status every route answers once the orchestrator is closed', async () => {
    const f = await setup();
    await f.orch.workflowEngine.defineWorkflow('wf', [{ name: 'greet' }]);
    const id = await f.orch.workflowEngine.executeWorkflow('wf', {});
    await f.orch.workflowEngine.waitForCompletion(id);
    await f.orch.close();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    const bodies: Record<string, unknown> = {
      'POST /v1/workflows': { id: 'x', steps: [{ name: 'greet' }] },
      'POST /v1/workflows/{id}/executions': {},
    };
    for (const route of ROUTES.filter((r) => !r.includes('remote-workers'))) {
      const [method, path] = route.split(' ') as [string, string];
      const url = path
        .replace('/workflows/{id}', '/workflows/wf')
        .replace('/executions/{id}', `/executions/${id}`);
      const res = await f.call({
        method: method as 'GET',
        url,
        ...(bodies[route] ? { payload: bodies[route] as object } : {}),
      });
      const documented = Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {});
      expect(documented, `${route} answered ${res.statusCode}`).toContain(String(res.statusCode));
    }
  });

  it('documents the status a route with path parameters answers for an over-long one', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    for (const route of ROUTES.filter((r) => r.includes('{'))) {
      const [method, path] = route.split(' ') as [string, string];
      const res = await f.call({
        method: method as 'GET',
        url: path.replace(/\{\w+\}/g, 'x'.repeat(10_000)),
      });
      const documented = Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {});
      expect(documented, `${route} answered ${res.statusCode}`).toContain(String(res.statusCode));
    }
  });
});

describe('documented statuses of routes that read a body', () => {
  it('lists 413 and 415 on every route that reads a body, and each route answers them', async () => {
    // Before: cancel and the remote-worker routes answered 413 (over the limit) and 415 (not
    // JSON) but their documents did not list either status.
    const f = await setup({ app: { bodyLimit: 64 } });
    await f.orch.workflowEngine.defineWorkflow('wf', [{ name: 'greet' }]);
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    const withBody = ROUTES.filter((r) => !r.startsWith('GET '));
    expect(withBody.length).toBeGreaterThanOrEqual(9);
    for (const route of withBody) {
      const [method, path] = route.split(' ') as [string, string];
      const url = path.replace(/\{\w+\}/g, 'x').replace('/workflows/x', '/workflows/wf');
      const documented = Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {});
      const big = await f.call({
        method: method as 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ input: 'x'.repeat(100) }),
      });
      const text = await f.call({
        method: method as 'POST',
        url,
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expect([big.statusCode, text.statusCode], route).toEqual([413, 415]);
      expect(documented, route).toEqual(expect.arrayContaining(['413', '415']));
    }
  });
});

describe('documented statuses of protected routes', () => {
  it('lists 400 on every route that needs a token, which each answers to two Authorization headers', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    const good = `Bearer ${TOKEN}`;
    for (const route of ROUTES.filter((r) => r.includes(' /v1/'))) {
      const [method, path] = route.split(' ') as [string, string];
      const res = await f.app.inject({
        method: method as 'GET',
        url: path.replace(/\{\w+\}/g, 'x'),
        // Typed as one string (Node keeps the first); sent as two header lines.
        headers: { authorization: [good, good] } as Record<string, string[]>,
      });
      expect(res.statusCode, route).toBe(400);
      const documented = Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {});
      expect(documented, route).toContain('400');
    }
  });
});
