/**
 * The SQLite commit floor: the fewest fsynced commits SPEC §6 allows for a workflow, and nothing
 * else, as one row of the peer harness.
 *
 *   npx tsx bench/floor-peer.ts --n=2000 --c=100 --lowload=200 [--steps=3] [--payload=0]
 *
 * SPEC §6 asks two things of a durable store: `executeWorkflow` resolves only after the execution
 * is stored, and each step's result is written before the next step starts. So a k-step workflow
 * is at least k + 1 commits in a row: the accept, then one per step (the last step's may carry the
 * terminal state). This row does exactly that on better-sqlite3 with the engine's pragmas (WAL,
 * `synchronous=FULL`): per workflow one autocommit INSERT of the accepted input, then per step the
 * harness's no-op step and one autocommit INSERT of its output, each a one-row insert into a table
 * without secondary indexes. Its low-load p50 is a floor for the engine's SQLite row that no engine
 * keeping SPEC §6 can go under on this disk: the engine does the same commits, with more in each.
 * The harness's `sqlite-raw (sync=FULL)` row is the same without the accept commit.
 *
 * `--steps=<k>` and `--payload=<bytes>` shape the workflow as they do the engine rows': k steps
 * (the harness `STEPS` cycled, the last one `STEPS[2]`), k + 1 commits, and the payload carried by
 * the input and every step output.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { intOption, parsePayload } from './lib/args.js';
import {
  argValue,
  harnessStepIndex,
  loadHarness,
  type Peer,
  type StepOutput,
  type WorkflowInput,
} from './lib/harness.js';

const harness = await loadHarness();
const { STEPS } = harness;
const STEP_COUNT = intOption('steps', argValue('steps'), 3);
const payloadBytes = parsePayload(argValue('payload'));
const pad = payloadBytes > 0 ? 'x'.repeat(payloadBytes) : null;

let dir: string | null = null;
let db: Database.Database | null = null;
let accept: Database.Statement | null = null;
let record: Database.Statement | null = null;

const peer: Peer = {
  name: `sqlite floor (accept + 1 commit per step, sync=FULL${STEP_COUNT === 3 ? '' : `, ${STEP_COUNT} steps`}${pad ? `, ${payloadBytes} B` : ''})`,
  durable: true,
  checkpoint:
    'the accept (input) in its own autocommit INSERT before step 1, then after each step 1 autocommit INSERT of its output; WAL, synchronous=FULL (fsync on every commit): the k + 1 commits SPEC §6 requires, nothing else',
  notes:
    'better-sqlite3 with the engine store pragmas; one-row inserts into tables without secondary indexes',
  async setup() {
    dir = mkdtempSync(join(process.env.BENCH_SQLITE_DIR ?? tmpdir(), 'enginebench-floor-'));
    db = new Database(join(dir, 'floor.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE accepted (wf_id INTEGER PRIMARY KEY, input TEXT NOT NULL);
      CREATE TABLE step_results (wf_id INTEGER NOT NULL, step INTEGER NOT NULL, output TEXT NOT NULL,
        PRIMARY KEY (wf_id, step)) WITHOUT ROWID`);
    accept = db.prepare('INSERT INTO accepted (wf_id, input) VALUES (?, ?)');
    record = db.prepare('INSERT INTO step_results (wf_id, step, output) VALUES (?, ?, ?)');
  },
  async run(wfId: number, input: WorkflowInput): Promise<StepOutput> {
    const stored = pad ? { ...input, payload: pad } : input;
    accept!.run(wfId, JSON.stringify(stored));
    let output: StepOutput | null = null;
    for (let i = 0; i < STEP_COUNT; i++) {
      output = await STEPS[harnessStepIndex(i, STEP_COUNT)]!(stored);
      record!.run(wfId, i + 1, JSON.stringify(pad ? { ...output, payload: pad } : output));
    }
    return output!;
  },
  async teardown() {
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
  extra: () => ({
    commits_per_wf: STEP_COUNT + 1,
    steps_per_wf: STEP_COUNT,
    payload_bytes: payloadBytes,
    sqlite_synchronous: 'FULL',
    sqlite_journal_mode: 'wal',
  }),
};

try {
  await harness.runPeer(peer);
} catch (error) {
  console.error(error);
  // The cause last, on one line: a failed row reports the last lines of its stderr.
  console.error(`${peer.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
