import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { logWritten } from '../../src/server/log-written.js';

const dir = mkdtempSync(join(tmpdir(), 'log-written-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('logWritten', () => {
  it("resolves once pino's asynchronous destination has written every line logged before", async () => {
    const file = join(dir, 'log.jsonl');
    const destination = pino.destination({ dest: file, sync: false, mkdir: true });
    await new Promise((resolve) => destination.once('ready', resolve));
    const logger = pino({ base: null }, destination);
    for (let i = 0; i < 2000; i++) logger.info({ i, pad: 'x'.repeat(200) }, 'line');
    // The writes are in flight: the file does not hold them all yet (what the banner raced).
    expect(readFileSync(file, 'utf8').split('\n').length - 1).toBeLessThan(2000);
    await logWritten(logger);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2000);
    expect(JSON.parse(lines[1999]!)).toMatchObject({ i: 1999, msg: 'line' });
    destination.end();
  });

  it('resolves at once when nothing is being written, or the destination is a plain stream', async () => {
    const idle = pino.destination({ dest: join(dir, 'idle.jsonl'), sync: false });
    await new Promise((resolve) => idle.once('ready', resolve));
    const started = Date.now();
    await logWritten(pino(idle), 5000);
    const plain = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const onPlain = pino(plain);
    onPlain.info('x');
    await logWritten(onPlain, 5000);
    expect(Date.now() - started).toBeLessThan(2000);
    idle.end();
  });

  it('gives up after maxMs on a destination that never finishes (a stderr nobody reads)', async () => {
    const stuck = Object.assign(new Writable({ write: () => undefined }), { _writing: true });
    const logger = pino(stuck);
    const started = Date.now();
    await logWritten(logger, 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('stops waiting when the destination fails', async () => {
    const failing = Object.assign(new Writable({ write: () => undefined }), { _writing: true });
    failing.on('error', () => undefined);
    const waited = logWritten(pino(failing), 10_000);
    failing.emit('error', new Error('EPIPE'));
    await expect(waited).resolves.toBeUndefined();
  });
});
