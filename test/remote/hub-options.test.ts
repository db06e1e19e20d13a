/**
 * RemoteWorkerHub's options are checked by shape: `new RemoteWorkerHub(null)` threw a bare
 * TypeError, a misspelt option (`{ leaseSecond: 5 }`) was ignored (30 s leases), `clock: 5` was
 * taken and failed at the first sweep, `maxWorkers: 1.5` was taken as a count, and `attach(null)`
 * was accepted until the first registration. Each is now a ValidationError naming the option.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { FakeClock, RemoteWorkerHub } from '../../src/index.js';

function pathsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
  throw new Error('expected a ValidationError');
}

describe('RemoteWorkerHub options', () => {
  it.each([
    [{ leaseSecond: 5 }, 'leaseSecond'],
    [{ clock: 5 }, 'clock'],
    [{ clock: {} }, 'clock'],
    [{ logger: 'console' }, 'logger'],
    [{ maxWorkers: 1.5 }, 'maxWorkers'],
    [{ maxPollsPerWorker: 2.5 }, 'maxPollsPerWorker'],
    [{ leaseSeconds: Number.NaN }, 'leaseSeconds'],
  ])('refuses %j naming %s', (options, path) => {
    expect(pathsOf(() => new RemoteWorkerHub(options as never))).toEqual([path]);
  });

  it.each([[null], [[]], ['x']])('refuses options that are no object (%j)', (options) => {
    expect(pathsOf(() => new RemoteWorkerHub(options as never))).toEqual(['options']);
  });

  it('refuses to attach to something that is no engine', () => {
    expect(pathsOf(() => new RemoteWorkerHub().attach(null as never))).toEqual(['host']);
    expect(pathsOf(() => new RemoteWorkerHub().attach({} as never))).toEqual(['host']);
  });

  it('takes the documented options', () => {
    const hub = new RemoteWorkerHub({
      clock: new FakeClock(),
      leaseSeconds: 1.5,
      pollSeconds: 1,
      maxWorkers: 2,
      maxPollsPerWorker: 1,
      logger: { info() {}, warn() {}, error() {}, debug() {} },
    });
    expect(hub.attach({ registerAction() {}, listActions: () => [] })).toBe(hub);
    hub.close();
  });
});
