/**
 * Two machines with the same host name (VMs cloned from one image, hosts left named `localhost`
 * or `ubuntu`) whose nodes run in their machine's initial pid namespace: a node here judged the
 * other machine's node dead, by its pid, whenever that pid named no process here — the pid space
 * was told by host name and pid namespace alone, and every machine's initial pid namespace has
 * the same inode number. So it took that node's executions from under it in every claim round
 * (leases valid and renewed, heartbeat fresh), never placed work on it, and showed it dead. The
 * pid space now includes the machine's boot id: a pid of another machine (or another boot) is
 * never looked up here.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { isDeadLocalOwner, newNodeId } from '../../src/local-owners.js';
import type { ExecutionRecord } from '../../src/store/store.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';
import { perTest } from './per-test.js';

const t = perTest();

/** A pid that names no process here: a child's, once it exited and was reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

/** This machine's boot id as the node id holds it (hex digits, no dashes). */
const BOOT = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replaceAll('-', '');

/**
 * The id a node of process `pid` on another machine with this one's host name (and pid namespace
 * inode: a first process tree) gets: this machine's id but for its boot id.
 */
function idElsewhere(pid: number): string {
  return newNodeId()
    .replace(/\/\d+\//, `/${pid}/`)
    .replace(BOOT.slice(0, 12), 'f'.repeat(12));
}

it('a process of another machine with the same host name is not judged by a pid of this one', async () => {
  const pid = await deadPid();
  // On this machine, that pid is a dead node's: known at once.
  expect(isDeadLocalOwner(newNodeId().replace(/\/\d+\//, `/${pid}/`))).toBe(true);
  expect(isDeadLocalOwner(idElsewhere(pid))).toBe(false);
});

it('a node leaves alone the executions a live node of a same-named machine holds, and counts it live', async () => {
  const schema = t.schema();
  const other = idElsewhere(await deadPid());
  // The other machine's node: registered, heartbeating, holding a running execution under a lease.
  const raw = new PostgresStore(PG_URL, { schema });
  await raw.init();
  t.later(() => raw.close());
  const now = Date.now();
  const heartbeat = () =>
    raw.heartbeat({
      id: other,
      startedAt: now,
      lastHeartbeat: Date.now(),
      running: 1,
      queued: 0,
      capacity: 100,
      info: { pid: 1, cluster: true, leaseSeconds: 30 },
    });
  await heartbeat();
  const held: ExecutionRecord = {
    id: 'exec_held_elsewhere',
    workflowId: 'w',
    workflowVersion: 1,
    status: 'running',
    input: {},
    error: null,
    outcome: null,
    createdAt: now,
    startedAt: now,
    completedAt: null,
    workerId: other,
    idempotencyKey: null,
    cursor: 0,
    transitions: 1,
    lastStep: null,
    deadlineAt: null,
    cancelRequested: false,
    compensated: false,
    stepsRun: 1,
    stepsRetried: 0,
    completionSeq: 0,
    compensatedSteps: [],
    owner: other,
    leaseUntil: now + 30_000,
    epoch: 1,
  };
  await raw.createExecution(held);
  const orch = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    leaseSeconds: 3,
    sweepInterval: 0.2,
  });
  t.later(() => orch.close());
  // Two whole rounds of this node's after its start (each writes its heartbeat), the other node
  // heartbeating meanwhile.
  const beats = async () => (await raw.listNodes()).find((n) => n.id === orch.nodeId)?.lastHeartbeat ?? 0;
  const first = await beats();
  await until(async () => {
    await heartbeat();
    return (await beats()) > first;
  }, "this node's next round");
  const second = await beats();
  await until(async () => {
    await heartbeat();
    return (await beats()) > second;
  }, "this node's round after that");
  const stored = (await raw.getExecution(held.id))?.execution;
  expect({ owner: stored?.owner, epoch: stored?.epoch }).toEqual({ owner: other, epoch: 1 });
  expect(orch.loadBalancer.getWorkers()).toContain(other);
  expect((await orch.getNodes()).find((n) => n.id === other)?.alive).toBe(true);
}, 30_000);
