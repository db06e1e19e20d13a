/**
 * The ids in a remote worker's paths, as docs/remote-workers.md gives them: a `workerId` or
 * `taskId` over 64 characters is refused 400 VALIDATION naming the parameter (`path.workerId`), one over 4096
 * characters 414 URI_TOO_LONG, and neither is mistaken for an unknown worker (404).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, envelope, setup } from '../server/helpers.js';

afterEach(closeAll);

describe('a path id longer than the node gives', () => {
  it('is refused 400 naming the parameter past 64 characters, and 404 at 64', async () => {
    const f = await setup();
    const poll = (id: string) =>
      f.call({ method: 'POST', url: `/v1/remote-workers/${id}/poll`, payload: {} });
    const long = await poll('w'.repeat(65));
    expect(long.statusCode, long.body).toBe(400);
    expect(envelope(long).code).toBe('VALIDATION');
    expect(envelope(long).message).toMatch(/path\.workerId/);
    expect((await poll('w'.repeat(64))).statusCode).toBe(404);
    const task = await f.call({
      method: 'POST',
      url: `/v1/remote-workers/w/tasks/${'t'.repeat(65)}/heartbeat`,
    });
    expect(task.statusCode, task.body).toBe(400);
    expect(envelope(task).message).toMatch(/path\.taskId/);
  });

  it('is refused 414 URI_TOO_LONG past 4096 characters', async () => {
    const f = await setup();
    const res = await f.call({ method: 'DELETE', url: `/v1/remote-workers/${'w'.repeat(4097)}` });
    expect(res.statusCode, res.body).toBe(414);
    expect(envelope(res).code).toBe('URI_TOO_LONG');
  });
});
