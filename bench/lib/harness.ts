/**
 * Types of the peer harness (`lib/harness.mjs` of the peers folder) and a loader for it.
 *
 * The harness is not part of this repository: it lives in the shared peers folder and is used from
 * a writable copy (see `peers.ts`). It is imported at run time from that copy, so these types mirror
 * its `lib/harness.d.mts` (keep them in step when the harness changes).
 * @module
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { peersDir } from './peers.js';

/** What a harness step returns. */
export interface StepOutput {
  ok: true;
  step: number;
}

/** The workflow input the harness submits. */
export interface WorkflowInput {
  user_id: number;
  action: 'transcribe';
}

/** One row of the benchmark (see the harness README, "Adding a system"). */
export interface Peer {
  name: string;
  durable: boolean;
  checkpoint: string;
  notes?: string;
  setup(): Promise<void>;
  run(wfId: number, input: WorkflowInput): Promise<StepOutput>;
  teardown(): Promise<void>;
  pgDatabases?: string[];
  pgPool?: number;
  redisUrl?: string;
  extra?: Record<string, unknown> | (() => Record<string, unknown>);
}

/** The JSON line `runPeer` prints. */
export interface PeerResult {
  name: string;
  n: number;
  c: number;
  wall_s: number;
  throughput: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  lowload_n: number;
  lowload_p50_ms: number;
  lowload_p95_ms: number;
  lowload_p99_ms: number;
  durable: boolean;
  checkpoint: string;
  notes: string;
  errors: number;
  extra: Record<string, unknown>;
  node: string;
  ts: string;
}

/** The parts of `lib/harness.mjs` the engine row uses. */
export interface Harness {
  N: number;
  C: number;
  LOWLOAD_N: number;
  WARMUP: number;
  PG_POOL: number;
  PG_BASE: string;
  STEPS: Array<(input: unknown) => Promise<StepOutput>>;
  runPeer(peer: Peer): Promise<PeerResult>;
  log(...args: unknown[]): void;
}

/**
 * The harness step (index into `STEPS`) that step `k` (0-based) of a `count`-step workflow calls:
 * `STEPS` cycled so that the last step is always `STEPS[2]`, whose `{ok: true, step: 3}` the
 * harness checks as the workflow's result.
 */
export function harnessStepIndex(k: number, count: number): number {
  return 2 - ((count - 1 - k) % 3);
}

/** The value of a `--name=value` argument of this process. */
export function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  const found = process.argv.find((a) => a.startsWith(prefix));
  return found === undefined ? undefined : found.slice(prefix.length);
}

/**
 * Imports `lib/harness.mjs` from the peers copy. The harness reads `--n= --c= --lowload= --warmup=`
 * (or `BENCH_N`, ...) from `process.argv` / the environment when it is imported.
 */
export async function loadHarness(dir = peersDir()): Promise<Harness> {
  const url = pathToFileURL(join(dir, 'lib', 'harness.mjs')).href;
  return (await import(url)) as Harness;
}
