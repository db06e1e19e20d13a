/**
 * One engine node for the cluster tests, run as a real process (`node --import tsx`). It opens an
 * orchestrator on the PostgreSQL schema it is given (cluster mode), defines the test workflows and
 * then obeys its parent over IPC: submit executions, report its balancer and node view, close.
 *
 * Every handler call is appended synchronously to a ledger file shared by all nodes
 * (`start|end|abort <execution> <step> <attempt> <idempotencyKey> <pid> <ms>`), so the parent sees
 * what ran where even after a SIGKILL. Handlers return their pid, so the stored output tells which
 * run's completion was recorded. Warnings and errors of the engine go to `<ledger>.<label>.log`.
 */
import { appendFileSync, existsSync } from 'node:fs';
// Not the package root: it also re-exports the server, which this process does not need.
import { NonRetryableError } from '../../src/errors.js';
import { createOrchestrator } from '../../src/orchestrator.js';
import type { StepContext } from '../../src/types.js';

/** Settings the parent passes as JSON in argv[2]. */
export interface NodeSettings {
  store: string;
  ledger: string;
  label: string;
  leaseSeconds: number;
  sweepInterval: number;
  maxConcurrentWorkflows: number;
  /** How long a `work` step takes. */
  stepMs: number;
  /** Whether `work` stops when its signal aborts (a cooperative handler) or runs on regardless. */
  honourAbort: boolean;
  /** A file whose existence releases every `gate` step. */
  gate?: string;
}

/** A request from the parent; the reply carries the same `seq`. */
export type Request =
  | { seq: number; cmd: 'submit'; workflow: string; count: number; concurrent?: boolean }
  | { seq: number; cmd: 'view' }
  | { seq: number; cmd: 'close'; grace: number };

const settings = JSON.parse(process.argv[2] ?? '{}') as NodeSettings;
const pid = process.pid;

function record(kind: string, ctx: StepContext): void {
  appendFileSync(
    settings.ledger,
    `${kind} ${ctx.executionId} ${ctx.stepName} ${ctx.attempt} ${ctx.idempotencyKey} ${pid} ${Date.now()}\n`,
  );
}

/** A compensation that takes `stepMs`, recorded as `cstart` / `cend` (its key ends in `:compensate`). */
async function undo(_output: unknown, ctx: StepContext): Promise<void> {
  record('cstart', ctx);
  if (!(await pause(settings.stepMs, ctx.signal, settings.honourAbort))) throw new Error('aborted');
  record('cend', ctx);
}

function log(level: string, obj: object, msg?: string): void {
  appendFileSync(
    `${settings.ledger}.${settings.label}.log`,
    `${JSON.stringify({ level, pid, at: Date.now(), msg, ...flatten(obj) })}\n`,
  );
}

function flatten(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = v instanceof Error ? v.message : v;
  return out;
}

/** Waits `ms`; a cooperative wait ends early when the signal aborts. */
function pause(ms: number, signal: AbortSignal, cooperative: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    if (!cooperative) return;
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

async function work(_input: unknown, ctx: StepContext): Promise<unknown> {
  record('start', ctx);
  let ended = false;
  ctx.signal.addEventListener('abort', () => {
    if (!ended) record('abort', ctx);
  });
  const finished = await pause(settings.stepMs, ctx.signal, settings.honourAbort);
  ended = true;
  if (!finished) throw new Error('aborted');
  record('end', ctx);
  return { pid, step: ctx.stepName };
}

async function gate(_input: unknown, ctx: StepContext): Promise<unknown> {
  record('start', ctx);
  const file = settings.gate;
  while (file && !existsSync(file)) {
    if (!(await pause(20, ctx.signal, true))) throw new Error('aborted');
  }
  record('end', ctx);
  return { pid, step: ctx.stepName };
}

const orch = await createOrchestrator({
  store: settings.store,
  leaseSeconds: settings.leaseSeconds,
  sweepInterval: settings.sweepInterval,
  maxConcurrentWorkflows: settings.maxConcurrentWorkflows,
  logger: {
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg) => log('warn', obj, msg),
    error: (obj, msg) => log('error', obj, msg),
  },
  actions: {
    work,
    gate,
    fail: () => {
      throw new NonRetryableError('fails for good', { code: 'BOOM' });
    },
  },
  compensations: { undo },
});

// Every node defines the same workflows: identical definitions share one version.
await orch.workflowEngine.defineWorkflow('three_steps', [
  { name: 's1', action: 'work' },
  { name: 's2', action: 'work' },
  { name: 's3', action: 'work' },
]);
await orch.workflowEngine.defineWorkflow('gated', [{ name: 'wait', action: 'gate' }]);
// A saga that always fails at its last step: its completed steps (branches included) are compensated.
await orch.workflowEngine.defineWorkflow('saga', [
  { name: 's1', action: 'work', compensation: 'undo' },
  {
    name: 'fan',
    compensation: 'undo',
    parallel: [
      { name: 'p1', action: 'work', compensation: 'undo' },
      { name: 'p2', action: 'work', compensation: 'undo' },
    ],
  },
  { name: 's2', action: 'work', compensation: 'undo' },
  { name: 'boom', action: 'fail' },
]);

async function handle(req: Request): Promise<unknown> {
  switch (req.cmd) {
    case 'submit': {
      const submit = (i: number) =>
        orch.workflowEngine.executeWorkflow(req.workflow, { from: settings.label, i });
      // Concurrent: all calls at once, as a burst of API requests would make them.
      if (req.concurrent)
        return { ids: await Promise.all(Array.from({ length: req.count }, (_, i) => submit(i))) };
      const ids: string[] = [];
      for (let i = 0; i < req.count; i++) ids.push(await submit(i));
      return { ids };
    }
    case 'view': {
      const lb = orch.loadBalancer;
      return {
        distribution: lb.getLoadDistribution(),
        balanced: lb.isBalanced(),
        workers: lb.getWorkers(),
        nodes: await orch.getNodes(),
        local: orch.getLocalLoad(),
        executions: orch.getMetrics().executions,
        now: Date.now(),
      };
    }
    case 'close':
      await orch.close({ grace: req.grace });
      return { closed: true };
  }
}

process.on('message', (req: Request) => {
  handle(req).then(
    (result) => {
      process.send?.({ seq: req.seq, ok: true, result });
      if (req.cmd === 'close') process.disconnect();
    },
    (error: unknown) => process.send?.({ seq: req.seq, ok: false, error: String(error) }),
  );
});
// The parent went away: do not linger.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true, nodeId: orch.nodeId, pid });
