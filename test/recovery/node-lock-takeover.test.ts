/**
 * A node that died is taken over at once by a process that cannot see its pid: one in another
 * pid namespace (a restarted container on the same volume) or after a reboot. Before, the
 * executions waited for the dead node's leases to run out (30 s by default, here 60 s) before
 * anything resumed them. Each node holds a lock next to the SQLite file while it lives
 * (`node-locks.ts`); the kernel drops it with the process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workersReport } from '../../src/cli/reports.js';
import { StoreClient } from '../../src/cli/store-client.js';
import { createOrchestrator } from '../../src/index.js';
import { NodeLocks } from '../../src/store/sqlite/node-locks.js';
import { silentLogger } from '../helpers/orchestrator.js';

const CHILD = join(import.meta.dirname, 'lock-child.ts');
const dir = mkdtempSync(join(tmpdir(), 'orch-node-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A node id of another pid space: its pid tells this process nothing. */
const ELSEWHERE = 'other-container~4026532000~0123456789ab/1/c0ffee';

describe('a node killed in another pid space', () => {
  it('has its executions taken over at once, not when its leases run out', async () => {
    const file = join(dir, 'store.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, ELSEWHERE], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!(out.includes('running') && out.includes('id '))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`child did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const id = /id (\S+)/.exec(out)![1]!;
    // While it lives, another process sees its lock held.
    expect(new NodeLocks(file).gone(ELSEWHERE)).toBe(false);
    child.kill('SIGKILL');
    await exited;
    // `orchestrator workers` says so at once too, not 'alive' until its heartbeat is a lease old.
    const client = await StoreClient.open(`sqlite:${file}`);
    try {
      const report = await workersReport(client);
      expect(report.nodes.find((n) => n.id === ELSEWHERE)?.state).toBe('dead');
    } finally {
      await client.close();
    }

    const started = Date.now();
    const orch = await createOrchestrator({
      store: `sqlite:${file}`,
      logger: silentLogger,
      leaseSeconds: 60,
      actions: { hang: () => 'done' },
    });
    try {
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 20 });
      expect(status.status).toBe('completed');
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await orch.close();
    }
    // The new node's lock file went with its close; the dead node's stays (every process can
    // tell it is gone) until the registry forgets the node.
    expect(readdirSync(`${file}-nodes`)).toHaveLength(1);
    const locks = new NodeLocks(file);
    expect(locks.gone(ELSEWHERE)).toBe(true);
    locks.release(ELSEWHERE);
    expect(readdirSync(`${file}-nodes`)).toEqual([]);
    expect(locks.gone(ELSEWHERE)).toBe(false);
  });
});

describe('NodeLocks', () => {
  it('tells a held lock, a released one and an unknown node apart', () => {
    const file = join(dir, 'locks.sqlite');
    const mine = new NodeLocks(file);
    const other = new NodeLocks(file);
    expect(mine.hold('n1')).toBe(true);
    expect(mine.hold('n1')).toBe(true);
    // Held in this process by another store: alive.
    expect(other.gone('n1')).toBe(false);
    expect(mine.gone('n1')).toBe(false);
    // No file: nothing to tell (its leases decide).
    expect(other.gone('never-seen')).toBe(false);
    mine.release('n1');
    expect(other.gone('n1')).toBe(false);
    expect(readdirSync(`${file}-nodes`)).toEqual([]);
  });

  it('cannot be taken where the folder cannot be made, and says so', () => {
    const notAFolder = join(dir, 'plain-file');
    rmSync(notAFolder, { force: true });
    writeFileSync(`${notAFolder}-nodes`, 'x');
    expect(new NodeLocks(notAFolder).hold('n1')).toBe(false);
    expect(existsSync(`${notAFolder}-nodes`)).toBe(true);
  });
});
