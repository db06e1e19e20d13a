/**
 * `POST /v1/workflows` with a definition already stored, written in another form (other
 * whitespace, `1.0` for `1`, keys in another order, a fixed default written out), answers as for
 * the same text: 201 with the stored version, and stores no new one. (SPEC §7 gives 201 for
 * either; `Location` names the version.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

const FIRST = '{"id":"w","steps":[{"name":"greet","timeout":1,"retry":true}],"options":{"timeout":30}}';
const SAME = `{
  "options": { "timeout": 30.0 },
  "steps": [ { "retry": { "backoffCoefficient": 2.0, "nonRetryable": [] }, "timeout": 1.0, "action": "greet", "name": "greet" } ],
  "id": "w"
}`;

describe('POST /v1/workflows with the stored definition in another form', () => {
  it('answers 201 with the stored version and stores none', async () => {
    const f = await setup();
    const post = (payload: string) =>
      f.call({
        method: 'POST',
        url: '/v1/workflows',
        payload,
        headers: { 'content-type': 'application/json' },
      });
    const first = await post(FIRST);
    expect(first.statusCode).toBe(201);
    const again = await post(SAME);
    expect(again.statusCode).toBe(201);
    expect(again.headers.location).toBe('/v1/workflows/w?version=1');
    expect(again.json()).toEqual(first.json());
    expect(f.orch.workflowEngine.listWorkflowVersions('w')).toHaveLength(1);
    // A change of meaning is the next version.
    const changed = await post(FIRST.replace('"retry":true', '"retry":{"maxAttempts":3}'));
    expect(changed.headers.location).toBe('/v1/workflows/w?version=2');
  });
});
