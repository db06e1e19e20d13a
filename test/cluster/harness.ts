/**
 * Harness of the cluster tests: engine nodes as real child processes on one fresh PostgreSQL
 * schema, a shared ledger of handler calls, a direct store view for checks, and condition waits.
 * `cluster()` registers the cleanup (kill every node still running, close the view, drop the
 * schema) with the running test.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { MetricsSnapshot } from '../../src/monitoring/metrics.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ExecutionSnapshot, NodeRecord } from '../../src/store/store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import type { NodeSettings, Request } from './node-child.js';

const CHILD = join(import.meta.dirname, 'node-child.ts');

/** One line of the ledger. */
export interface LedgerLine {
  /** A step handler's run (`start`, `end`, `abort`), or a compensation's (`cstart`, `cend`). */
  kind: 'start' | 'end' | 'abort' | 'cstart' | 'cend';
  exec: string;
  step: string;
  attempt: number;
  key: string;
  pid: number;
  at: number;
}

/** What a node reports over IPC for `view`. */
export interface NodeView {
  distribution: Record<string, number>;
  balanced: boolean;
  workers: string[];
  nodes: (NodeRecord & { alive: boolean; self: boolean })[];
  local: { running: number; queued: number };
  /** `getMetrics().executions` of the node. */
  executions: MetricsSnapshot['executions'];
  now: number;
}

type RequestBody = Request extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/** A node process. */
export class NodeProcess {
  readonly child: ChildProcess;
  readonly label: string;
  nodeId = '';
  pid = 0;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  private output = '';
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  /** `script`: the node's program, node-child.ts unless a test brings its own (same IPC protocol). */
  constructor(label: string, settings: NodeSettings, script = CHILD) {
    this.label = label;
    this.child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(settings)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout?.on('data', (d) => {
      this.output += d;
    });
    this.child.stderr?.on('data', (d) => {
      this.output += d;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    // A request sent once the node died fails so (its channel closed), not as an uncaught error.
    this.child.on('error', (error) => {
      for (const p of this.waiting.values()) p.reject(error);
      this.waiting.clear();
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (msg: { ready?: boolean; nodeId: string; pid: number; seq?: number }) => {
        if (msg.ready) {
          this.nodeId = msg.nodeId;
          this.pid = msg.pid;
          resolve();
          return;
        }
        const reply = msg as unknown as { seq: number; ok: boolean; result?: unknown; error?: string };
        const pending = this.waiting.get(reply.seq);
        this.waiting.delete(reply.seq);
        if (reply.ok) pending?.resolve(reply.result);
        else pending?.reject(new Error(`${label}: ${reply.error}`));
      });
      void this.exited.then((code) => {
        const error = new Error(`node ${label} exited (${code}) before answering:\n${this.output}`);
        reject(error);
        for (const p of this.waiting.values()) p.reject(error);
        this.waiting.clear();
      });
    });
  }

  /** Sends a request and waits for the reply. */
  request<T>(body: RequestBody | { cmd: string; [k: string]: unknown }): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...body, seq });
    });
  }

  /** Submits `count` executions one after the other, or all at once with `concurrent`. */
  submit(workflow: string, count: number, concurrent = false): Promise<{ ids: string[] }> {
    return this.request({ cmd: 'submit', workflow, count, concurrent });
  }

  view(): Promise<NodeView> {
    return this.request({ cmd: 'view' });
  }

  /** Stdout and stderr so far. */
  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

/**
 * Whether process `pid` is stopped (SIGSTOP took effect), from /proc; without /proc (not Linux),
 * assumed once the signal was sent.
 */
export function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return true;
  }
}

/** Polls `cond` (sync or async) every 25 ms until it holds; fails naming `what` after `ms`. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  what: string | (() => string),
  ms = 45_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A cluster of nodes on a fresh schema, cleaned up when the test ends. */
export interface Cluster {
  url: string;
  schema: string;
  dir: string;
  ledger: string;
  /** A store on the same schema, for reading what the nodes wrote. */
  view: PostgresStore;
  nodes: NodeProcess[];
  /**
   * Starts a node (resolves once it is open and has defined the workflows); `script` as for
   * NodeProcess.
   */
  start(label: string, settings?: Partial<NodeSettings>, script?: string): Promise<NodeProcess>;
  readLedger(): LedgerLine[];
  /** The node's warnings and errors, as logged by the engine. */
  nodeLog(label: string): { level: string; msg?: string; [k: string]: unknown }[];
  snapshots(ids: string[]): Promise<Map<string, ExecutionSnapshot>>;
}

/** Node settings for short leases: failover within seconds. */
export const FAST: Omit<NodeSettings, 'store' | 'ledger' | 'label'> = {
  leaseSeconds: 2,
  sweepInterval: 0.2,
  maxConcurrentWorkflows: 40,
  stepMs: 80,
  honourAbort: true,
};

export async function cluster(): Promise<Cluster> {
  await assertServerReachable();
  const schema = freshSchema();
  const url = `${PG_URL}?schema=${schema}`;
  const dir = mkdtempSync(join(tmpdir(), 'orch-cluster-'));
  const ledger = join(dir, 'ledger.txt');
  const view = new PostgresStore(PG_URL, { schema, poolSize: 2 });
  await view.init();
  const nodes: NodeProcess[] = [];
  onTestFinished(async () => {
    for (const node of nodes) {
      if (!node.running) continue;
      node.child.kill('SIGCONT');
      node.child.kill('SIGKILL');
      await node.exited;
    }
    await view.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    url,
    schema,
    dir,
    ledger,
    view,
    nodes,
    async start(label, settings = {}, script = CHILD) {
      const node = new NodeProcess(label, { ...FAST, store: url, ledger, label, ...settings }, script);
      nodes.push(node);
      await node.ready;
      return node;
    },
    readLedger() {
      if (!existsSync(ledger)) return [];
      return readFileSync(ledger, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [kind, exec, step, attempt, key, pid, at] = l.split(' ');
          return {
            kind: kind as LedgerLine['kind'],
            exec: exec!,
            step: step!,
            attempt: Number(attempt),
            key: key!,
            pid: Number(pid),
            at: Number(at),
          };
        });
    },
    nodeLog(label) {
      const file = `${ledger}.${label}.log`;
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
    async snapshots(ids) {
      const map = new Map<string, ExecutionSnapshot>();
      // One listing is far cheaper than one read per execution.
      for (const snap of await view.listExecutions({ limit: 10_000 })) {
        map.set(snap.execution.id, snap);
      }
      for (const id of ids) {
        if (map.has(id)) continue;
        const snap = await view.getExecution(id);
        if (snap) map.set(id, snap);
      }
      return map;
    },
  };
}

/** Whether every listed execution is terminal in the store. */
export async function allTerminal(view: PostgresStore, total: number): Promise<boolean> {
  const done =
    (await view.countExecutions({ status: 'completed' })) +
    (await view.countExecutions({ status: 'failed' })) +
    (await view.countExecutions({ status: 'cancelled' }));
  return done >= total;
}
