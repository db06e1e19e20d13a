/**
 * A logger object that lacks warn() (the one method every logger option needs) was refused with
 * '… a logger with info/warn/error/debug, got an object', which does not say what the object
 * lacked: a logger with info, error and debug but a misspelt 'wran' read as fine. The message now
 * says which of the four it has and that warn() is missing, for createOrchestrator's, the hub's and
 * the remote worker's logger alike.
 */
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/config.js';
import { RemoteWorkerHub } from '../../src/remote/hub.js';
import { createRemoteWorker } from '../../src/remote/worker-client.js';
import { messageOf } from '../helpers/thrown.js';

const EXPECTED = 'Expected `logger` to be a logger with info/warn/error/debug, got';
const noop = () => undefined;

describe('a logger object without warn()', () => {
  it('says which methods it has', () => {
    const logger = { info: noop, error: noop, debug: noop, wran: noop };
    expect(messageOf(() => compileConfig({ logger } as never))).toBe(
      `Invalid config: logger: ${EXPECTED} an object with info(), error() and debug() but no warn()`,
    );
    expect(messageOf(() => new RemoteWorkerHub({ logger: { warn: 5 } as never }))).toBe(
      `Invalid RemoteWorkerHub options: logger: ${EXPECTED} an object with none of them`,
    );
    const worker = () =>
      createRemoteWorker({
        url: 'http://127.0.0.1:9',
        token: 't',
        actions: { a: noop },
        logger: { info: noop } as never,
      });
    expect(messageOf(worker)).toBe(
      `Invalid createRemoteWorker options: logger: ${EXPECTED} an object with info() but no warn()`,
    );
  });

  it('still shows a value that is no object as it is', () => {
    expect(messageOf(() => compileConfig({ logger: 5 } as never))).toBe(
      `Invalid config: logger: ${EXPECTED} 5`,
    );
  });
});
