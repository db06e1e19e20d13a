/**
 * One engine node of the cluster chaos fuzz test (cluster-fuzz.test.ts), run as a real process
 * (`node --import tsx`) by the cluster harness: it opens an orchestrator on the PostgreSQL schema
 * it is given, defines the fuzz workflows and obeys its parent over IPC (execute, cancel, close).
 * Every handler call is appended to the journal (`settings.ledger`, see cluster-fuzz-plan.ts) as it
 * starts and ends; each run returns a token naming it, so the stored output tells which run's
 * completion was recorded. Warnings and errors of the engine go to `<journal>.<label>.log`.
 */
import { appendFileSync } from 'node:fs';
import { NonRetryableError } from '../../src/errors.js';
import { createOrchestrator } from '../../src/orchestrator.js';
import type { StepContext } from '../../src/types.js';
import { type JournalLine, WORKFLOWS, writeJournal } from './cluster-fuzz-plan.js';
import type { NodeSettings } from './node-child.js';

type Req =
  | { seq: number; cmd: 'execute'; workflow: string; input: unknown; key: string | null }
  | { seq: number; cmd: 'cancel'; id: string }
  | { seq: number; cmd: 'close'; grace: number }
  | { seq: number; cmd: 'workers' };

const settings = JSON.parse(process.argv[2] ?? '{}') as NodeSettings;
const pid = process.pid;
let runs = 0;

function note(t: string, ctx?: StepContext, tok?: string): void {
  const line: JournalLine = { t, label: settings.label, pid, at: Date.now() };
  if (ctx) {
    Object.assign(line, {
      exec: ctx.executionId,
      step: ctx.stepName,
      attempt: ctx.attempt,
      key: ctx.idempotencyKey,
    });
  }
  if (tok) line.tok = tok;
  writeJournal(settings.ledger, line);
}

// Journaled when the process runs again after a SIGSTOP: a handler that starts before this line
// (and after the parent's `cont`) was decided on before the stop, its lease checked then (see
// `ClusterRun.stalls`).
process.on('SIGCONT', () => note('resumed'));

function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    if (!settings.honourAbort) return;
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

interface FzInput {
  ms: number;
  failAt: string | null;
  flaky: string | null;
}

async function fz(input: unknown, ctx: StepContext): Promise<unknown> {
  const plan = input as FzInput;
  const tok = `${settings.label}.${pid}.${++runs}`;
  note('start', ctx, tok);
  let ended = false;
  ctx.signal.addEventListener('abort', () => {
    if (!ended) note('abort', ctx, tok);
  });
  const finished = await pause(plan.ms, ctx.signal);
  ended = true;
  if (!finished) {
    note('fail', ctx, tok);
    throw new Error('aborted');
  }
  if (plan.failAt === ctx.stepName) {
    note('fail', ctx, tok);
    throw new NonRetryableError('fails for good', { code: 'BOOM' });
  }
  if (plan.flaky === ctx.stepName && ctx.attempt === 1) {
    note('fail', ctx, tok);
    throw Object.assign(new Error('fails once'), { code: 'FLAKY' });
  }
  note('end', ctx, tok);
  return { tok };
}

async function undo(_output: unknown, ctx: StepContext): Promise<void> {
  const tok = `${settings.label}.${pid}.${++runs}`;
  note('cstart', ctx, tok);
  if (!(await pause(60, ctx.signal))) {
    note('fail', ctx, tok);
    throw new Error('aborted');
  }
  note('cend', ctx, tok);
}

function log(level: string, obj: object, msg?: string): void {
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) flat[k] = v instanceof Error ? v.message : v;
  appendFileSync(
    `${settings.ledger}.${settings.label}.log`,
    `${JSON.stringify({ level, pid, at: Date.now(), msg, ...flat })}\n`,
  );
}

const orch = await createOrchestrator({
  store: settings.store,
  leaseSeconds: settings.leaseSeconds,
  sweepInterval: settings.sweepInterval,
  maxConcurrentWorkflows: settings.maxConcurrentWorkflows,
  // A compensation's retry waits at most this long (seconds).
  retryDelay: 0.1,
  logger: {
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg) => log('warn', obj, msg),
    error: (obj, msg) => log('error', obj, msg),
  },
  actions: { fz },
  compensations: { fz_undo: undo },
});
for (const [id, steps] of Object.entries(WORKFLOWS)) await orch.workflowEngine.defineWorkflow(id, steps);

async function handle(req: Req): Promise<unknown> {
  const engine = orch.workflowEngine;
  switch (req.cmd) {
    case 'execute': {
      const options = req.key === null ? {} : { idempotencyKey: req.key };
      return { id: await engine.executeWorkflow(req.workflow, req.input, options) };
    }
    case 'cancel':
      return { cancelled: await engine.cancelWorkflow(req.id) };
    case 'workers':
      // The nodes this one counts live (its balancer's workers), itself included.
      return { workers: orch.loadBalancer.getWorkers() };
    case 'close':
      note('close');
      await orch.close({ grace: req.grace });
      return { closed: true };
  }
}

process.on('message', (req: Req) => {
  handle(req).then(
    (result) => {
      process.send?.({ seq: req.seq, ok: true, result });
      if (req.cmd === 'close') process.disconnect();
    },
    (error: unknown) => process.send?.({ seq: req.seq, ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true, nodeId: orch.nodeId, pid });
