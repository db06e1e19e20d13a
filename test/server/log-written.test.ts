import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { logWritten } from '../../src/server/log-written.js';
import { FdDestination } from '../../src/stderr-destination.js';
import { stoppedReader } from '../helpers/stopped-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'log-written-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('logWritten', () => {
  it("resolves once the logger's destination has written every line logged before", async () => {
    const reader = stoppedReader(join(dir, 'log.jsonl'));
    const destination = new FdDestination({ fd: reader.fd });
    const logger = pino({ base: null }, destination);
    let n = 0;
    // Until the pipe is full and the destination holds lines back (what the banner raced).
    while ((destination as unknown as { pending: unknown[] }).pending.length === 0 && n < 1000) {
      logger.info({ i: n++, pad: 'x'.repeat(50_000) }, 'line');
    }
    for (let k = 0; k < 3; k++) logger.info({ i: n++ }, 'line');
    let done = false;
    const waited = logWritten(logger, 20_000).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(done).toBe(false);
    reader.resume();
    await waited;
    expect((destination as unknown as { pending: unknown[] }).pending).toEqual([]);
    const lines = (await reader.finish()).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
  });

  it('resolves at once for a destination that cannot tell (a plain stream)', async () => {
    const plain = new Writable({ write: () => undefined }); // never calls back: stuck
    const logger = pino(plain);
    logger.info('x');
    const started = Date.now();
    await logWritten(logger, 5000);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up after maxMs on an output nobody reads (a full pipe)', async () => {
    const reader = spawn('sleep', ['30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
      const logger = pino({ base: null }, new FdDestination({ fd }));
      // 5 MB: more than the socket pair's buffer holds (Node's stdio pipes are socket pairs).
      for (let i = 0; i < 100; i++) logger.info({ pad: 'z'.repeat(50_000) }, 'fills the pipe');
      const started = Date.now();
      await logWritten(logger, 100);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(90);
      expect(waited).toBeLessThan(2000);
    } finally {
      reader.kill('SIGKILL');
    }
  });
});
