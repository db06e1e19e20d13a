/**
 * The process the saga crash fuzz test (saga-fuzz.test.ts) kills: opens the SQLite file (which
 * resumes what an earlier, killed process left), defines the saga, submits every execution of
 * the seed's plan under its idempotency key (the ones an earlier process stored get their id
 * back), and waits until every one ends; then prints `done` and exits. Every handler call and
 * result is appended to the journal (and a `close` line when it closes).
 * On SIGTERM it closes (with the grace given, in seconds) and exits.
 *   saga-fuzz-child.ts <store file> <journal file> <seed> <count> <run> [grace]
 * @module
 */
import {
  createOrchestrator,
  NonRetryableError,
  type Orchestrator,
  type StepContext,
} from '../../src/index.js';
import {
  type ExecutionPlan,
  journalWriter,
  planFor,
  SAGA,
  STEPS,
  type StepName,
  submitKey,
  WORKFLOW,
} from './saga-fuzz-plan.js';

const [file, journal, seedText, countText, runText, graceText] = process.argv.slice(2);
if (!file || !journal || !seedText || !countText || !runText)
  throw new Error('usage: saga-fuzz-child.ts <store> <journal> <seed> <count> <run>');
const seed = Number(seedText);
const plans = planFor(seed, Number(countText));
const write = journalWriter(journal, Number(runText));

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}

// Handlers of resumed executions may run before createOrchestrator returns.
let resolveOrch: (o: Orchestrator) => void = () => undefined;
const orchReady = new Promise<Orchestrator>((resolve) => {
  resolveOrch = resolve;
});
// SIGTERM: a clean stop, `close` with the grace the parent passed; the rest resumes next start.
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  void orchReady
    .then((o) => {
      write({ t: 'close', exec: '' });
      return o.close({ grace: Number(graceText ?? 0) });
    })
    .then(() => {
      process.stdout.write('closed\n');
      process.exit(0);
    });
});

const ref = (ctx: StepContext) => ({
  exec: ctx.executionId,
  step: ctx.stepName,
  attempt: ctx.attempt,
  key: ctx.idempotencyKey,
});

const orch = await createOrchestrator({
  store: `sqlite:${file}`,
  // Fewer slots than executions: some wait as `pending` when a kill comes.
  maxConcurrentWorkflows: 8,
  sweepInterval: 0.05,
  // A compensation's retry waits at most this long (seconds).
  retryDelay: 0.03,
  actions: {
    work: async (input, ctx) => {
      const plan = input as ExecutionPlan;
      const step = ctx.stepName as StepName;
      write({ t: 'call', ...ref(ctx) });
      try {
        if (plan.cancelAt === step) {
          void orchReady.then((o) => o.workflowEngine.cancelWorkflow(ctx.executionId)).catch(() => undefined);
          await sleep(2 ** 30, ctx.signal);
        }
        await sleep(plan.ms[STEPS.indexOf(step)] ?? 10, ctx.signal);
        if (plan.fail === step) throw new NonRetryableError('boom', { code: 'BOOM' });
        if (plan.flaky === step && ctx.attempt === 1)
          throw Object.assign(new Error('flaky'), { code: 'FLAKY' });
      } catch (error) {
        write({ t: 'fail', ...ref(ctx) });
        throw error;
      }
      write({ t: 'ok', ...ref(ctx) });
      return { step, compFlaky: plan.compFlaky === step, compDoom: plan.compDoom === step };
    },
  },
  compensations: {
    undo: async (output, ctx) => {
      write({ t: 'comp', ...ref(ctx) });
      await sleep(10, ctx.signal);
      const how = output as { compFlaky: boolean; compDoom: boolean };
      if (how.compDoom) {
        write({ t: 'comp-doom', ...ref(ctx) });
        throw new NonRetryableError('compensation fails for good', { code: 'DOOM' });
      }
      if (how.compFlaky && ctx.attempt === 1) {
        write({ t: 'comp-fail', ...ref(ctx) });
        throw new Error('compensation fails once');
      }
      write({ t: 'comp-ok', ...ref(ctx) });
    },
  },
});

resolveOrch(orch);
const engine = orch.workflowEngine;
await engine.defineWorkflow(WORKFLOW, SAGA);
const ids: string[] = [];
try {
  for (const plan of plans) {
    const id = await engine.executeWorkflow(WORKFLOW, plan, { idempotencyKey: submitKey(seed, plan.i) });
    write({ t: 'accepted', exec: id, i: plan.i });
    ids.push(id);
  }
  for (const id of ids) await engine.waitForCompletion(id, { timeout: 60 });
} catch (error) {
  // A close (SIGTERM) rejects what was under way; the SIGTERM handler exits.
  if (!stopping) throw error;
}
if (!stopping) {
  process.stdout.write('done\n');
  await orch.close();
}
