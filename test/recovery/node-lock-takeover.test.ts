/**
 * A node that died is taken over at once by a process that cannot see its pid: one in another
 * pid namespace (a restarted container on the same volume) or after a reboot. Before, the
 * executions waited for the dead node's leases to run out (30 s by default, here 60 s) before
 * anything resumed them. Each node holds a lock next to the SQLite file while it lives
 * (`node-locks.ts`); the kernel drops it with the process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { workersReport } from '../../src/cli/reports.js';
import { hasLiveOwner, StoreClient } from '../../src/cli/store-client.js';
import { createOrchestrator } from '../../src/index.js';
import { isDeadLegacyLocalOwner, newNodeId } from '../../src/local-owners.js';
import { lockFileName, NodeLocks } from '../../src/store/sqlite/node-locks.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { memoryLogger, silentLogger } from '../helpers/orchestrator.js';
import { heldExecution } from '../store/records.js';

const CHILD = join(import.meta.dirname, 'lock-child.ts');
const dir = mkdtempSync(join(tmpdir(), 'orch-node-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A node id of another pid space: its pid tells this process nothing. */
const ELSEWHERE = 'other-container~4026532000~0123456789ab/1/c0ffee';

/**
 * Starts `lock-child.ts` on `file` as node `nodeId` and waits until its step runs: the execution's
 * id, the node id it printed, and a kill with SIGKILL that resolves once it exited.
 */
async function startChild(
  file: string,
  nodeId: string,
): Promise<{ id: string; nodeId: string; kill(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, nodeId], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const deadline = Date.now() + 30_000;
  while (!(out.includes('running') && out.includes('id '))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`child did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return { id: /id (\S+)/.exec(out)![1]!, nodeId: /node (\S+)/.exec(out)![1]!, kill };
}

/**
 * Opens a new node on `file` and expects it to run execution `id` (held by a killed child with a
 * 60 s lease) to completion well within that lease: taken over at once, not when it ran out.
 */
async function expectTakenOver(file: string, id: string): Promise<void> {
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
}

describe('a node killed in another pid space', () => {
  it('has its executions taken over at once, not when its leases run out', async () => {
    const file = join(dir, 'store.sqlite');
    const { id, kill } = await startChild(file, ELSEWHERE);
    // While it lives, another process sees its lock held.
    expect(new NodeLocks(file).freeLockRun(ELSEWHERE)).toBeNull();
    await kill();
    // `orchestrator workers` says so at once too, not 'alive' until its heartbeat is a lease old.
    const client = await StoreClient.open(`sqlite:${file}`);
    try {
      const report = await workersReport(client);
      expect(report.nodes.find((n) => n.id === ELSEWHERE)?.state).toBe('dead');
      // `orchestrator cancel` takes the execution over rather than wait for that owner to apply it.
      const record = (await client.getRecord(id))!;
      expect(record.leaseUntil).toBeGreaterThan(Date.now());
      expect(hasLiveOwner(record, client.store)).toBe(false);
    } finally {
      await client.close();
    }

    await expectTakenOver(file, id);
    // The new node's lock file went with its close; the dead node's stays (every process can
    // tell it is gone) until the registry forgets the node.
    expect(readdirSync(`${file}-nodes`)).toHaveLength(1);
    const locks = new NodeLocks(file);
    expect(locks.freeLockRun(ELSEWHERE)).toEqual(expect.any(String));
    locks.release(ELSEWHERE);
    expect(readdirSync(`${file}-nodes`)).toEqual([]);
    expect(locks.freeLockRun(ELSEWHERE)).toBeNull();
  });
});

describe('a node of an earlier release (an id without the boot id, no lock) killed on this host', () => {
  it('has its executions taken over at once, judged by its pid', async () => {
    const file = join(dir, 'legacy.sqlite');
    // An earlier release held no lock: a file where the lock folder would go keeps this one's out.
    writeFileSync(`${file}-nodes`, '');
    const { id, nodeId: legacy, kill } = await startChild(file, 'legacy-here');
    expect(legacy.split('/')[0]!.split('~')).toHaveLength(2);
    await kill();
    await expectTakenOver(file, id);
  });

  it('is judged by its pid only in this host name and pid namespace, and never for a modern id', async () => {
    const [host, ns] = newNodeId().split('/')[0]!.split('~');
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    const deadPid = gone.pid!;
    expect(isDeadLegacyLocalOwner(`${host}~${ns}/${deadPid}/abc123`)).toBe(true);
    expect(isDeadLegacyLocalOwner(`${host}~${ns}/${process.pid}/abc123`)).toBe(false);
    expect(isDeadLegacyLocalOwner(`other-host~${ns}/${deadPid}/abc123`)).toBe(false);
    expect(isDeadLegacyLocalOwner(`${host}~1/${deadPid}/abc123`)).toBe(false);
    // A modern id names the boot: judged by `isDeadLocalOwner`, not here.
    expect(isDeadLegacyLocalOwner(newNodeId().replace(/\/\d+\//, `/${deadPid}/`))).toBe(false);
  });
});

/** A SQLite store on a new file in this test's folder, opened, closed after the test. */
async function openStore(path: string): Promise<SqliteStore> {
  const store = new SqliteStore(path);
  onTestFinished(() => store.close());
  await store.init();
  return store;
}

/**
 * A node's registry row written as its heartbeat would, without taking its lock: `run` is the run
 * of its lock its `info` records (undefined: none; null: no row).
 */
function writeRow(file: string, id: string, run: string | null | undefined): void {
  const db = new Database(file);
  try {
    if (run === null) db.prepare('DELETE FROM nodes WHERE id = ?').run(id);
    else {
      db.prepare(
        `INSERT INTO nodes (id, started_at, last_heartbeat, running, queued, capacity, info)
         VALUES (?, 1000, ?, 0, 0, 1, ?) ON CONFLICT (id) DO UPDATE SET info = excluded.info`,
      ).run(id, Date.now(), JSON.stringify(run === undefined ? {} : { sqliteLockRun: run }));
    }
  } finally {
    db.close();
  }
}

describe('SqliteStore.ownerGone', () => {
  it("trusts a free lock file only for the node's run that made it", async () => {
    const file = join(dir, 'restarted.sqlite');
    const store = await openStore(file);
    // What a run of n1 killed leaves: its file, free, and its row, both naming the run.
    mkdirSync(`${file}-nodes`, { recursive: true });
    const lock = new Database(join(`${file}-nodes`, lockFileName('n1')));
    lock.exec('CREATE TABLE node (id TEXT, run TEXT)');
    lock.prepare('INSERT INTO node VALUES (?, ?)').run('n1', 'run-1');
    lock.close();
    writeRow(file, 'n1', 'run-1');
    expect(store.ownerGone('n1')).toBe(true);
    // n1 started again under the same id and could not take its lock (a folder it cannot write,
    // a full disk), at the same clock reading or not: it lives, whatever its earlier run's file says.
    writeRow(file, 'n1', undefined);
    expect(store.ownerGone('n1')).toBe(false);
    writeRow(file, 'n1', 'run-2');
    expect(store.ownerGone('n1')).toBe(false);
    // Forgotten by the registry: the file is all there is.
    writeRow(file, 'n1', null);
    expect(store.ownerGone('n1')).toBe(true);
    // A node with no file: its leases decide.
    expect(store.ownerGone('n2')).toBe(false);
  });

  it('keeps the locks beside the file a link names, where every process finds them', async () => {
    const real = join(dir, 'real.sqlite');
    const link = join(dir, 'link.sqlite');
    await openStore(real);
    symlinkSync(real, link);
    const byLink = await openStore(link);
    await byLink.heartbeat({
      id: 'n3',
      startedAt: 3000,
      lastHeartbeat: Date.now(),
      running: 0,
      queued: 0,
      capacity: 1,
      info: {},
    });
    expect(existsSync(join(`${real}-nodes`, lockFileName('n3')))).toBe(true);
    expect(existsSync(`${link}-nodes`)).toBe(false);
  });
});

describe('a start that leaves executions to another process', () => {
  it('says so, naming the process and how many it holds', async () => {
    const file = join(dir, 'held.sqlite');
    const other = await openStore(file);
    // Held by a process whose liveness nothing here can tell (another host): not taken over.
    await other.createExecution(heldExecution('h1', 'w', 'another-host/7/abc', Date.now() + 60_000));
    const logger = memoryLogger();
    const orch = await createOrchestrator({ store: `sqlite:${file}`, logger, actions: { w: () => 1 } });
    await orch.close();
    expect(logger.lines.filter((l) => (l.obj as { owner?: string }).owner === 'another-host/7/abc')).toEqual([
      {
        level: 'info',
        obj: { owner: 'another-host/7/abc', executions: 1 },
        msg: 'executions held by another process are resumed here once its leases run out, unless it renews them',
      },
    ]);
  });
});

describe('NodeLocks', () => {
  it('tells a held lock, a released one and an unknown node apart', () => {
    const file = join(dir, 'locks.sqlite');
    const mine = new NodeLocks(file);
    const other = new NodeLocks(file);
    const run = mine.hold('n1');
    expect(run).toMatch(/^[0-9a-f]{24}$/);
    expect(mine.hold('n1')).toBe(run);
    // Held in this process by another store: alive.
    expect(other.freeLockRun('n1')).toBeNull();
    expect(mine.freeLockRun('n1')).toBeNull();
    // No file: nothing to tell (its leases decide).
    expect(other.freeLockRun('never-seen')).toBeNull();
    mine.release('n1');
    expect(other.freeLockRun('n1')).toBeNull();
    expect(readdirSync(`${file}-nodes`)).toEqual([]);
  });

  it('cannot be taken where the folder cannot be made, and says so', () => {
    const notAFolder = join(dir, 'plain-file');
    rmSync(notAFolder, { force: true });
    writeFileSync(`${notAFolder}-nodes`, 'x');
    const locks = new NodeLocks(notAFolder);
    expect(locks.hold('n1')).toBeNull();
    // Not tried again at every heartbeat.
    expect(locks.hold('n1')).toBeNull();
    expect(existsSync(`${notAFolder}-nodes`)).toBe(true);
  });
});
