/**
 * A definition file may name the JSON Schema an editor checks it against (`"$schema"`): the CLI
 * (`run`, `serve --workflows`) ignores that key, and so does POST /v1/workflows, so the same file
 * can be sent with curl. Any other unknown key is still refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

const steps = [{ name: 'hello', action: 'noop' }];

describe('POST /v1/workflows with $schema', () => {
  it('defines the workflow and stores no $schema', async () => {
    const f = await setup();
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { $schema: 'https://example.com/workflow.schema.json', id: 'greet', steps },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: 'greet', version: 1, steps });
    expect(res.json()).not.toHaveProperty('$schema');
    // The same definition without the key is the same version.
    const again = await f.call({ method: 'POST', url: '/v1/workflows', payload: { id: 'greet', steps } });
    expect(again.json()).toMatchObject({ id: 'greet', version: 1 });
  });

  it('still refuses any other unknown key, naming it', async () => {
    const f = await setup();
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { $schemas: 'x', id: 'greet', steps },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('$schemas');
  });

  it('is documented in the OpenAPI document as an optional string', async () => {
    const f = await setup();
    const doc = (await f.app.inject({ url: '/openapi.json' })).json();
    const body = doc.paths['/v1/workflows'].post.requestBody.content['application/json'].schema;
    const schema = body.$ref ? doc.components.schemas[body.$ref.split('/').pop()] : body;
    expect(schema.properties.$schema).toMatchObject({ type: 'string' });
    expect(schema.required).not.toContain('$schema');
  });
});
