import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FdDestination } from '../../src/stderr-destination.js';
import { stoppedReader } from '../helpers/stopped-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'fd-destination-'));
const opened: number[] = [];
afterAll(() => {
  for (const fd of opened) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

const line = (i: number, pad = '') => `${JSON.stringify({ i, pad })}\n`;
const parsed = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * Writes lines of 50 kB until the destination holds some back (the pipe is full): `flush` then
 * no longer calls back at once, as it does when nothing waits.
 */
function fill(destination: FdDestination): number {
  let i = 0;
  while (i < 1000) {
    destination.write(line(i++, 'f'.repeat(50_000)));
    let idle = false;
    destination.flush(() => {
      idle = true;
    });
    if (!idle) return i;
  }
  throw new Error('the pipe never filled up');
}

describe('FdDestination', () => {
  it('writes each line at once, in order', async () => {
    const path = join(dir, 'order.jsonl');
    const fd = openSync(path, 'w');
    opened.push(fd);
    const destination = new FdDestination({ fd });
    let expected = '';
    for (let i = 0; i < 2000; i++) {
      destination.write(line(i, 'x'.repeat(100)));
      expected += line(i, 'x'.repeat(100));
    }
    expect(readFileSync(path, 'utf8')).toBe(expected);
    await destination.written(10);
    await new Promise<void>((resolve) => destination.flush(() => resolve()));
    expect(destination.droppedLines).toBe(0);
  });

  it('drops and counts the lines a descriptor refuses (a full disk), without throwing or waiting', async () => {
    const fd = openSync('/dev/full', 'w');
    opened.push(fd);
    const destination = new FdDestination({ fd });
    for (let i = 0; i < 10; i++) expect(destination.write(line(i))).toBe(true);
    expect(destination.droppedLines).toBe(10);
    const started = Date.now();
    await destination.written(5000);
    destination.flushSync();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('holds lines back while a pipe is full, drops those beyond its bound, and reports them once it drains', async () => {
    const reader = stoppedReader(join(dir, 'bounded.jsonl'));
    const destination = new FdDestination({ fd: reader.fd, maxPending: 200_000 });
    const filled = fill(destination);
    // What waits: the rest of the last line, then three more lines; the fourth is over the bound.
    for (let i = filled; i < filled + 4; i++) destination.write(line(i, 'w'.repeat(50_000)));
    expect(destination.droppedLines).toBeGreaterThanOrEqual(1);
    const dropped = destination.droppedLines;
    let done = false;
    const written = destination.written(20_000).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(done).toBe(false); // the reader is stopped: nothing can be written
    reader.resume();
    await written;
    destination.write(line(9999));
    const lines = parsed(await reader.finish());
    const numbers = lines.filter((l) => typeof l.i === 'number').map((l) => l.i as number);
    // In order, each once; the dropped ones are missing.
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toHaveLength(filled + 4 - dropped + 1);
    expect(numbers.at(-1)).toBe(9999);
    const warnings = lines.filter((l) => typeof l.msg === 'string');
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        msg: `${dropped} log line${dropped === 1 ? ' was' : 's were'} lost: more was waiting to be written than the log holds`,
      }),
    ]);
    expect(lines.indexOf(warnings[0]!)).toBe(lines.length - 2); // just before the next line written
    expect(destination.droppedLines).toBe(0);
  });

  it('written resolves once a full pipe has taken what waited, and gives up after maxMs', async () => {
    const reader = stoppedReader(join(dir, 'written.jsonl'));
    const destination = new FdDestination({ fd: reader.fd });
    const filled = fill(destination);
    let started = Date.now();
    await destination.written(100); // the reader is stopped: it gives up
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(90);
    expect(waited).toBeLessThan(5000);
    let done = false;
    const written = destination.written(20_000).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(done).toBe(false);
    started = Date.now();
    reader.resume();
    await written;
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(parsed(await reader.finish()).map((l) => l.i)).toEqual(
      Array.from({ length: filled }, (_, i) => i),
    );
  });

  it('flushSync writes what waits, each line once, then the warning about lost lines, as the process would exit', async () => {
    const reader = stoppedReader(join(dir, 'exit.jsonl'));
    // However long cat takes to be scheduled again on a busy machine.
    const destination = new FdDestination({ fd: reader.fd, maxPending: 100_000, exitWaitMs: 20_000 });
    const filled = fill(destination);
    for (let i = filled; i < filled + 3; i++) destination.write(line(i));
    destination.write(line(filled + 3, 'v'.repeat(200_000))); // over the bound: lost
    expect(destination.droppedLines).toBe(1);
    reader.resume();
    destination.flushSync();
    const lines = parsed(await reader.finish());
    expect(lines.slice(0, -1).map((l) => l.i)).toEqual(Array.from({ length: filled + 3 }, (_, i) => i));
    expect(lines.at(-1)).toMatchObject({
      level: 40,
      msg: '1 log line was lost: more was waiting to be written than the log holds',
    });
    expect(destination.droppedLines).toBe(0);
  });
});
