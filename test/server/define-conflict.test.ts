/**
 * `POST /v1/workflows` answers 409 `CONFLICT` when every version it tries to store is taken by
 * other nodes defining the same workflow (the engine gives up after ten tries): the status is
 * listed in the route's OpenAPI responses, as every other status it answers is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { closeAll, envelope, setup } from './helpers.js';

afterEach(closeAll);

/** A store on which another node always took the version first. */
class CrowdedStore extends MemoryStore {
  override async saveDefinition(): Promise<boolean> {
    return false;
  }
}

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

describe('POST /v1/workflows when other nodes keep defining the workflow', () => {
  it('answers 409 CONFLICT, which its OpenAPI responses list', async () => {
    const f = await setup({ orchestrator: { store: new CrowdedStore() } });
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { id: 'busy', steps: [{ name: 'greet' }] },
    });
    expect(res.statusCode).toBe(409);
    expect(envelope(res)).toEqual({
      code: 'CONFLICT',
      message: "Workflow 'busy': could not store a new version (another node keeps defining it)",
    });
    const doc = (await f.app.inject({ url: '/openapi.json' })).json() as Doc;
    expect(Object.keys(doc.paths['/v1/workflows']?.post?.responses ?? {})).toContain('409');
  });
});
