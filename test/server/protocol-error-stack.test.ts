/**
 * At debug level a 500 is logged with its stack on every route, the remote workers' protocol
 * routes included: those routes log at warn (machine traffic), which must not hide the stack of
 * a failure from an operator who turned debug on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteWorkerHub } from '../../src/remote/hub.js';
import { createServerLogger } from '../../src/server/logger.js';
import { closeAll, setup } from './helpers.js';

afterEach(closeAll);

function capture(level: string) {
  const lines: string[] = [];
  const logger = createServerLogger({ level, destination: { write: (s: string) => lines.push(s) } });
  const failures = () =>
    lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; error?: { stack?: string } })
      .filter((l) => l.msg === 'request failed');
  return { logger, failures };
}

describe('the stack of a failed protocol request', () => {
  it('is logged at debug level, as on every other route', async () => {
    const log = capture('debug');
    const hub = new RemoteWorkerHub();
    const f = await setup({
      app: {
        logger: log.logger,
        remoteWorkers: hub,
        plugins: [
          (scope) => {
            scope.get('/v1/explode', async () => {
              throw new Error('route exploded');
            });
          },
        ],
      },
    });
    hub.attach(f.orch.workflowEngine);
    hub.heartbeat = () => {
      throw new Error('heartbeat exploded');
    };
    expect((await f.call({ url: '/v1/explode' })).statusCode).toBe(500);
    const res = await f.call({ method: 'POST', url: '/v1/remote-workers/rw_1/tasks/rt_1/heartbeat' });
    expect(res.statusCode).toBe(500);
    const [route, protocol] = log.failures();
    expect(route?.error?.stack).toContain('route exploded');
    expect(protocol?.error?.stack).toContain('heartbeat exploded');
  });

  it('is still left out at info level', async () => {
    const log = capture('info');
    const hub = new RemoteWorkerHub();
    const f = await setup({ app: { logger: log.logger, remoteWorkers: hub } });
    hub.attach(f.orch.workflowEngine);
    hub.heartbeat = () => {
      throw new Error('heartbeat exploded');
    };
    const res = await f.call({ method: 'POST', url: '/v1/remote-workers/rw_1/tasks/rt_1/heartbeat' });
    expect(res.statusCode).toBe(500);
    const failures = log.failures();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error?.stack).toBeUndefined();
  });
});
