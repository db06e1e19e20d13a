// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * Randomized, seeded, model-based test of the engine: for a few fixed seeds, random interleavings
 * of executions (with new and reused idempotency keys), cancellations (queued, running,
 * compensating, ended), short waits, status and list reads, redefinitions (new versions), and on
 * durable stores closes (with or without grace) followed by a reopen on the same store, also with
 * two PostgreSQL nodes sharing a schema; over workflows with retries, timeouts, compensations,
 * parallel, conditional and loop steps, whose handlers succeed, fail (retryable or not), time out
 * or block until released; some runs time whole executions out. Checked after each run:
 * - every accepted execution ends in one terminal state, listed, and nothing unaccepted exists;
 *   a state once seen terminal never changes; `execution.finished` once per execution;
 * - an idempotency key always gives the same id; a cancel answering true ends `cancelled`, and
 *   one made after the execution was seen ended answers false;
 * - a step attempt recorded completed (its `step.completed`) never runs again;
 * - compensations get the output of a completed attempt of their step, never run for a completed
 *   execution, complete at most once per process, run in reverse completion order, and a failed
 *   or cancelled execution compensates every step it completed (unless that compensation gave up)
 *   — a completion being a return the engine took, not a late one it failed with STEP_TIMEOUT;
 * - status fields agree (stepsCompleted, compensatedSteps, timestamps, totalSteps of the version);
 * - metrics totals equal the stored executions by state;
 * - within a process every `step.started` ends once (a waiting retry's end is its cancellation);
 * - no unhandled rejections.
 * To hunt: FUZZ_SEEDS=<n> [FUZZ_SEED_BASE=<first>] FUZZ_OPS=<ops> FUZZ_REOPEN=<probability> runs n other seeds;
 * FUZZ_DEBUG=1 prints the events, handler runs, log and status of the first failing execution.
 * A failing seed is shrunk into its own small test next to the behaviour.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ActionHandler,
  createOrchestrator,
  type EventListeners,
  type ExecutionStatus,
  NonRetryableError,
  type Orchestrator,
  type OrchestratorEvents,
  type StepContext,
  type StepDefinition,
  TimeoutError,
} from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { silentLogger, storeUrl, untilAborted } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

/** Mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string, as a fraction 0..1 (a handler's behaviour depends only on its input). */
function hashFraction(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32): the last character changes every bit.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

const RETRY = { maxAttempts: 2, initialDelay: 0.01, maxDelay: 0.02 };
const step = (name: string, extra: Partial<StepDefinition> = {}): StepDefinition =>
  ({ name, action: 'act', timeout: 0.2, compensation: 'undo', ...extra }) as StepDefinition;

const WORKFLOWS: Record<string, StepDefinition[]> = {
  seq: [step('a', { retry: RETRY }), step('b', { retry: RETRY }), step('c')],
  par: [
    step('a'),
    { name: 'p', parallel: [step('x', { retry: RETRY }), step('y')] } as StepDefinition,
    step('c', { compensation: undefined } as Partial<StepDefinition>),
  ],
  loop: [
    step('r', { retry: RETRY }),
    { name: 'again', condition: 'steps.r.output.n < 3', then: 'r' } as StepDefinition,
    step('c'),
  ],
  cond: [
    step('a'),
    { name: 'd', condition: 'input.flag', then: 'c' } as StepDefinition,
    step('b', { retry: RETRY }),
    step('c'),
  ],
};

interface Invocation {
  seq: number;
  kind: 'action' | 'compensation';
  executionId: string;
  key: string;
  stepName: string;
  attempt: number;
  generation: number;
  outcome?: 'ok' | 'fail' | 'nonretry' | 'aborted';
  /** For a compensation: the token of the output it was given. */
  outputToken?: number;
  /** How many events were announced when it was called (where its attempt's end is looked for). */
  eventsAt: number;
}

interface Generation {
  index: number;
  events: { event: keyof OrchestratorEvents; payload: unknown }[];
}

type Recorded = { event: keyof OrchestratorEvents; payload: Record<string, unknown> };

const visitOf = (key: string): number => Number(/#(\d+)$/.exec(key)?.[1] ?? 1);

class Model {
  readonly invocations: Invocation[] = [];
  readonly generations: Generation[] = [];
  /** Every event of every process, in the order they were announced. */
  readonly allEvents: (Recorded & { gen: number })[] = [];
  readonly accepted = new Set<string>();
  readonly keys = new Map<string, string>();
  readonly log: string[] = [];
  /** Each `lease lost` warning: the process, its execution, and how many events came before it. */
  readonly leaseLosses: { gen: number; executionId: string; at: number }[] = [];
  /** Top-level step count of each defined version, by `workflowId@version`. */
  readonly versions = new Map<string, number>();
  readonly cancelledTrue = new Set<string>();
  readonly cancelledFalseWhileTerminal: string[] = [];
  /**
   * Step attempts (`executionId|parent|step|attempt`) the store held running when a process had
   * closed, before the next one opened: each with how many events had been announced by then.
   */
  readonly storedRunning = new Map<string, number>();
  readonly observedTerminal = new Map<string, ExecutionStatus['status']>();
  readonly problems: string[] = [];
  readonly blocked = new Set<() => void>();
  releaseAll = false;
  private seq = 0;

  act =
    (generation: number): ActionHandler =>
    async (input, ctx) => {
      const inv = this.invoke('action', ctx, generation);
      const { s } = input as { s: number };
      const r = hashFraction(`${s}|${ctx.stepName}|${visitOf(ctx.idempotencyKey)}|${ctx.attempt}`);
      try {
        if (r < 0.1) throw new Error('retryable failure');
        if (r < 0.13) throw new NonRetryableError('fatal failure');
        if (r < 0.25) await this.block(ctx);
        else if (r < 0.3) await new Promise((resolve) => setTimeout(resolve, 2));
        inv.outcome = 'ok';
        return { n: visitOf(ctx.idempotencyKey), token: inv.seq };
      } catch (error) {
        inv.outcome = ctx.signal.aborted
          ? 'aborted'
          : error instanceof NonRetryableError
            ? 'nonretry'
            : 'fail';
        throw error;
      }
    };

  undo =
    (generation: number): ActionHandler =>
    async (output, ctx) => {
      const inv = this.invoke('compensation', ctx, generation);
      inv.outputToken = (output as { token?: number } | null)?.token ?? -1;
      const r = hashFraction(`undo|${ctx.idempotencyKey}|${ctx.attempt}`);
      try {
        if (r < 0.2) await this.block(ctx);
        inv.outcome = 'ok';
        return undefined;
      } catch (error) {
        inv.outcome = ctx.signal.aborted ? 'aborted' : 'fail';
        throw error;
      }
    };

  generation = 0;

  private invoke(kind: Invocation['kind'], ctx: StepContext, generation: number): Invocation {
    const inv: Invocation = {
      seq: ++this.seq,
      kind,
      executionId: ctx.executionId,
      key: ctx.idempotencyKey,
      stepName: ctx.stepName,
      attempt: ctx.attempt,
      generation,
      eventsAt: this.allEvents.length,
    };
    this.invocations.push(inv);
    return inv;
  }

  private block(ctx: StepContext): Promise<void> {
    if (this.releaseAll) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const release = () => {
        this.blocked.delete(release);
        resolve();
      };
      this.blocked.add(release);
      untilAborted(ctx.signal).catch((error: unknown) => {
        this.blocked.delete(release);
        reject(error);
      });
    });
  }

  release(rand: () => number): void {
    for (const release of [...this.blocked]) if (rand() < 0.5) release();
  }
}

const ALL_EVENTS: (keyof OrchestratorEvents)[] = [
  'execution.created',
  'execution.started',
  'step.started',
  'step.completed',
  'step.failed',
  'step.cancelled',
  'compensation.started',
  'compensation.completed',
  'compensation.failed',
  'execution.finished',
];

type Kind = 'memory' | 'sqlite' | 'postgres' | 'postgres, two nodes';

// The schemas of seeds that threw before dropping their own: one hook dropping every seed's
// schema outgrew its 30 s on a loaded machine in a 40-seed hunt (80 schemas).
const schemas = new Set<string>();
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

/** A fresh store of the kind (a new schema on the PostgreSQL test server for `postgres`). */
async function freshStore(kind: Kind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'memory' || kind === 'sqlite') return { url: storeUrl(kind), drop: async () => {} };
  await assertServerReachable();
  const schema = freshSchema();
  schemas.add(schema);
  const drop = async () => {
    await dropSchema(schema);
    schemas.delete(schema);
  };
  return { url: `${PG_URL}?schema=${schema}`, drop };
}

async function open(
  model: Model,
  store: string,
  workflowTimeout: number,
  cluster: boolean,
): Promise<Orchestrator> {
  model.generation++;
  const index = model.generation;
  const log = (level: string) => (obj: object, msg?: string) => {
    if (msg?.startsWith('lease lost'))
      model.leaseLosses.push({
        gen: index,
        executionId: String((obj as { executionId?: unknown }).executionId),
        at: model.allEvents.length,
      });
    model.log.push(
      `${index} ${level} ${msg} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? `${v.name}: ${v.message}` : v))}`,
    );
  };
  const gen: Generation = { index: model.generation, events: [] };
  model.generations.push(gen);
  // Listeners from the start: resumed executions announce their events during creation.
  const on = Object.fromEntries(
    ALL_EVENTS.map((event) => [
      event,
      (payload: unknown) => {
        gen.events.push({ event, payload });
        model.allEvents.push({ gen: gen.index, event, payload: payload as Record<string, unknown> });
      },
    ]),
  ) as EventListeners;
  return createOrchestrator({
    store,
    logger: { ...silentLogger, warn: log('warn'), error: log('error'), info: log('info') },
    maxConcurrentWorkflows: 3,
    workflowTimeout,
    // Compensation retries back off up to `retryDelay`.
    retryDelay: 0.02,
    actions: { act: model.act(gen.index) },
    compensations: { undo: model.undo(gen.index) },
    on,
    ...(cluster ? { sweepInterval: 0.05, leaseSeconds: 0.6 } : {}),
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Notes the step attempts `reader` holds running now (see `Model.storedRunning`). */
async function noteStoredRunning(model: Model, reader: Store): Promise<void> {
  const at = model.allEvents.length;
  for (const { execution, steps } of await reader.listExecutions({ limit: 10_000 })) {
    for (const s of steps) {
      if (s.status !== 'running' || s.attempts === 0 || s.of !== undefined) continue;
      const key = `${execution.id}|${s.parent ?? ''}|${s.name}|${s.attempts}`;
      if (!model.storedRunning.has(key)) model.storedRunning.set(key, at);
    }
  }
}

async function runSeed(kind: Kind, seed: number, ops: number): Promise<Model> {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const model = new Model();
  const { url: store, drop } = await freshStore(kind);
  // Some runs time whole executions out while their steps block.
  const workflowTimeout = pick([30, 30, 0.3]);
  const cluster = kind === 'postgres, two nodes';
  // Reads the store between a close and the next open (what the next process resumes).
  const reader = kind === 'memory' ? null : openStore(store);
  await reader?.init();
  const nodes = [await open(model, store, workflowTimeout, cluster)];
  const first = nodes[0] as Orchestrator;
  const define = async (engine: Orchestrator['workflowEngine'], id: string, steps: StepDefinition[]) => {
    const definition = await engine.defineWorkflow(id, steps);
    model.versions.set(`${id}@${definition.version}`, steps.length);
  };
  for (const [id, steps] of Object.entries(WORKFLOWS)) await define(first.workflowEngine, id, steps);
  if (cluster) nodes.push(await open(model, store, workflowTimeout, cluster));
  const inFlight: Promise<unknown>[] = [];
  const ids = () => [...model.accepted];
  const tolerateClosed = (error: unknown) => {
    if ((error as { code?: string }).code !== 'CLOSED')
      model.problems.push(`operation threw ${String(error)}`);
  };

  for (let i = 0; i < ops; i++) {
    const r = rand();
    const node = Math.floor(rand() * nodes.length);
    const engine = (nodes[node] as Orchestrator).workflowEngine;
    let op: Promise<unknown> | null = null;
    if (r < 0.35 || model.accepted.size === 0) {
      const workflow = pick(Object.keys(WORKFLOWS));
      const input = { s: Math.floor(rand() * 1e9), flag: rand() < 0.5 };
      const key = rand() < 0.3 ? `${workflow}-k${Math.floor(rand() * 3)}` : undefined;
      op = engine
        .executeWorkflow(workflow, input, key === undefined ? {} : { idempotencyKey: key })
        .then((id) => {
          model.accepted.add(id);
          if (key !== undefined) {
            const before = model.keys.get(key);
            if (before !== undefined && before !== id)
              model.problems.push(`idempotency key ${key} gave ${id} after ${before}`);
            model.keys.set(key, id);
          }
        }, tolerateClosed);
    } else if (r < 0.5) {
      const id = pick(ids());
      const terminalBefore = model.observedTerminal.get(id);
      op = engine.cancelWorkflow(id).then((cancelled) => {
        if (cancelled) model.cancelledTrue.add(id);
        if (cancelled && terminalBefore !== undefined)
          model.problems.push(`cancel of ${id} answered true after it ended ${terminalBefore}`);
      }, tolerateClosed);
    } else if (r < 0.6) {
      const id = pick(ids());
      op = engine.waitForCompletion(id, { timeout: 0.03 }).then(
        (status) => model.observedTerminal.set(id, status.status),
        (error: unknown) => {
          if (!(error instanceof TimeoutError)) tolerateClosed(error);
        },
      );
    } else if (r < 0.7) {
      const id = pick(ids());
      op = Promise.all([engine.getExecutionStatus(id), engine.listExecutions({ limit: 1000 })]).then(
        ([status, list]) => {
          if (!status) model.problems.push(`accepted execution ${id} has no status`);
          else {
            model.problems.push(...statusProblems(status));
            if (['completed', 'failed', 'cancelled'].includes(status.status))
              model.observedTerminal.set(id, status.status);
          }
          for (const s of list) model.problems.push(...statusProblems(s));
        },
        tolerateClosed,
      );
    } else if (r < 0.73) {
      // A new version (one more step, or back to the original): running executions keep theirs.
      const id = pick(Object.keys(WORKFLOWS));
      const steps = WORKFLOWS[id] as StepDefinition[];
      op = define(engine, id, rand() < 0.5 ? steps : [...steps, step('extra')]).catch(tolerateClosed);
    } else if (r < 0.85) {
      model.release(rand);
    } else if (r < 1 - Number(process.env.FUZZ_REOPEN ?? 0.05) || kind === 'memory') {
      await pause(Math.floor(rand() * 15));
    } else {
      const grace = pick([0, 0, 0.05]);
      await (nodes[node] as Orchestrator).close({ grace });
      if (!cluster) await Promise.all(inFlight.splice(0));
      if (reader) await noteStoredRunning(model, reader);
      nodes[node] = await open(model, store, workflowTimeout, cluster);
    }
    if (op) {
      if (rand() < 0.5) await op;
      else inFlight.push(op);
    }
  }
  await Promise.all(inFlight.splice(0));
  model.releaseAll = true;
  for (const release of [...model.blocked]) release();
  const orch = nodes[0] as Orchestrator;
  for (const id of model.accepted) {
    try {
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
      model.problems.push(...statusProblems(status));
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      const status = await orch.workflowEngine.getExecutionStatus(id);
      model.problems.push(`execution ${id} is still ${status?.status} 10 s after its handlers were released`);
    }
  }
  await checkInvariants(model, orch);
  if (process.env.FUZZ_DEBUG) {
    // The first three executions named by a problem.
    const shown = new Set<string>();
    for (const problem of new Set(model.problems)) {
      const id = /exec_[0-9a-z]+/.exec(problem)?.[0];
      if (!id || shown.has(id)) continue;
      shown.add(id);
      console.log('PROBLEM', problem);
      if (shown.size === 1) console.log(model.log.join('\n'));
      for (const gen of model.generations)
        for (const e of gen.events)
          if ((e.payload as { executionId?: string }).executionId === id)
            console.log(gen.index, e.event, JSON.stringify(e.payload));
      console.log(JSON.stringify(model.invocations.filter((i) => i.executionId === id)));
      console.log(JSON.stringify(await orch.workflowEngine.getExecutionStatus(id), null, 1));
      if (shown.size === 3) break;
    }
  }
  for (const node of nodes) await node.close();
  await reader?.close();
  await drop();
  return model;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Consistency of one status: counts, compensations and timestamps. */
function statusProblems(s: ExecutionStatus): string[] {
  const out: string[] = [];
  const where = `execution ${s.id} (${s.workflowId}, ${s.status})`;
  const completed = s.steps.filter((x) => x.status === 'completed').length;
  if (s.stepsCompleted !== completed)
    out.push(`${where}: stepsCompleted ${s.stepsCompleted} but ${completed} steps completed`);
  if (TERMINAL.has(s.status) !== (s.completedAt !== undefined))
    out.push(`${where}: completedAt ${String(s.completedAt)} does not match the state`);
  if (s.completedAt && s.completedAt < s.startedAt) out.push(`${where}: completedAt before startedAt`);
  const compensated = new Set(
    s.steps
      .flatMap((x) => [x, ...(x.branches ?? [])])
      .flatMap((x) => {
        const all = [x.compensation, ...(x.earlierCompensations ?? [])];
        return all.some((c) => c?.status === 'completed') ? [x.name] : [];
      }),
  );
  for (const name of s.compensatedSteps)
    if (!compensated.has(name)) out.push(`${where}: compensatedSteps names ${name}, not compensated`);
  for (const x of s.steps.flatMap((y) => [y, ...(y.branches ?? [])])) {
    if (x.startedAt && x.completedAt && x.completedAt < x.startedAt)
      out.push(`${where}: step ${x.name} completedAt before startedAt`);
    if (s.status === 'completed' && x.compensation) out.push(`${where}: step ${x.name} compensated`);
  }
  if (s.status === 'completed' && s.compensatedSteps.length > 0) out.push(`${where}: compensated`);
  return out;
}

async function checkInvariants(model: Model, orch: Orchestrator): Promise<void> {
  const { problems } = model;
  const engine = orch.workflowEngine;
  const list = await engine.listExecutions({ limit: 1000 });
  for (const s of list) {
    const count = model.versions.get(`${s.workflowId}@${s.workflowVersion}`);
    if (s.totalSteps !== count || s.steps.length !== count)
      problems.push(
        `execution ${s.id} of ${s.workflowId}@${s.workflowVersion}: ${s.totalSteps} steps, defined ${count}`,
      );
  }
  const byId = new Map(list.map((s) => [s.id, s]));
  // Nothing accepted is lost; nothing unaccepted exists; every one ended once.
  for (const id of model.accepted) {
    const s = byId.get(id);
    if (!s) problems.push(`accepted execution ${id} is not listed`);
    else if (!TERMINAL.has(s.status)) problems.push(`execution ${id} still ${s.status}`);
  }
  for (const s of list) if (!model.accepted.has(s.id)) problems.push(`execution ${s.id} was never accepted`);
  for (const id of model.cancelledTrue)
    if (byId.get(id)?.status !== 'cancelled')
      problems.push(`cancel of ${id} answered true, but it ended ${byId.get(id)?.status}`);
  for (const [id, state] of model.observedTerminal)
    if (byId.get(id)?.status !== state)
      problems.push(`execution ${id} was seen ${state}, ended ${byId.get(id)?.status}`);

  // Metrics agree with the stored states.
  const counts = { completed: 0, failed: 0, cancelled: 0 };
  for (const s of list) counts[s.status as keyof typeof counts]++;
  // Another node's counts are as last read from the store: give the sweep a few rounds.
  const agrees = () => {
    const m = orch.getMetrics().executions;
    return (
      m.total === list.length &&
      (['completed', 'failed', 'cancelled'] as const).every((k) => m[k] === counts[k])
    );
  };
  for (let i = 0; i < 400 && !agrees(); i++) await pause(25);
  const metrics = orch.getMetrics().executions;
  if (process.env.FUZZ_DEBUG && !agrees())
    for (const w of Object.keys(WORKFLOWS)) {
      const m = orch.getMetrics(w).executions;
      const ss = list.filter((x) => x.workflowId === w);
      console.log(
        'METRICS',
        w,
        JSON.stringify(m),
        ss.map((x) => `${x.id}:${x.status}:${x.workerId}`).join(' '),
      );
    }
  for (const state of ['completed', 'failed', 'cancelled'] as const)
    if (metrics[state] !== counts[state])
      problems.push(`metrics ${state} = ${metrics[state]}, but ${counts[state]} executions are ${state}`);
  if (metrics.total !== list.length)
    problems.push(`metrics total ${metrics.total}, ${list.length} executions`);

  // Completed attempts are never run again; compensations undo recorded completions only.
  const bySeq = new Map(model.invocations.map((inv) => [inv.seq, inv]));
  const stepOf = new Map(model.invocations.map((inv) => [inv.key, inv.stepName]));
  const completedAt = new Map<string, number>();
  const completionOrder = new Map<string, string[]>();
  for (const { event, payload } of model.allEvents) {
    if (event !== 'step.completed') continue;
    const token = (payload.output as { token?: number } | null)?.token;
    const inv = token === undefined ? undefined : bySeq.get(token);
    if (!inv) continue;
    completedAt.set(inv.key, inv.seq);
    const order = completionOrder.get(inv.executionId) ?? [];
    order.push(inv.key);
    completionOrder.set(inv.executionId, order);
  }
  for (const inv of model.invocations) {
    if (inv.kind !== 'action') continue;
    const done = completedAt.get(inv.key);
    if (done !== undefined && inv.seq > done)
      problems.push(`step ${inv.key} ran again (attempt ${inv.attempt}) after its completion was recorded`);
  }
  // A compensation that returned past its attempt's timeout (released late on a loaded machine, its
  // timer not fired yet) is a late result the engine does not take (README, a step's `timeout`):
  // its process records that attempt failed with STEP_TIMEOUT and runs the compensation again. Such
  // a return is no completion. (One process runs an execution's compensations one at a time: the
  // end of the call's attempt is the first one announced for it before the next starts there.)
  const refusedLate = (inv: Invocation): boolean => {
    for (const { gen, event, payload } of model.allEvents.slice(inv.eventsAt)) {
      if (gen !== inv.generation || payload.executionId !== inv.executionId) continue;
      if (event === 'compensation.started') return false;
      if (event === 'compensation.completed' && payload.step === inv.stepName) return false;
      if (event === 'compensation.failed' && payload.step === inv.stepName)
        return (
          payload.attempt === inv.attempt && (payload.error as { code?: string }).code === 'STEP_TIMEOUT'
        );
    }
    return false;
  };
  const compensationsOk = new Map<string, Invocation[]>();
  for (const inv of model.invocations) {
    if (inv.kind !== 'compensation') continue;
    const actionKey = inv.key.replace(/:compensate$/, '');
    const given = inv.outputToken === undefined ? undefined : bySeq.get(inv.outputToken);
    if (!given || given.key !== actionKey || given.outcome !== 'ok')
      problems.push(`compensation ${inv.key} was given the output of ${given?.key ?? 'nothing'}`);
    const status = byId.get(inv.executionId)?.status;
    if (status === 'completed') problems.push(`compensation ${inv.key} ran for a completed execution`);
    if (inv.outcome === 'ok' && !refusedLate(inv)) {
      const list = compensationsOk.get(actionKey) ?? [];
      list.push(inv);
      compensationsOk.set(actionKey, list);
    }
  }
  for (const [key, invs] of compensationsOk) {
    // A second completion is allowed only when a close interrupted the first one's record, or
    // when the process lost its lease on the execution (a starved node past `leaseSeconds`: the
    // record of the first was fenced off and whoever claims it next runs the compensation again).
    const generations = new Set(invs.map((inv) => inv.generation));
    const executionId = invs[0]?.executionId ?? '';
    const warnings = model.log.filter((line) => line.includes(executionId) && / warn /.test(line));
    const leaseLost = warnings.some((line) => line.includes('lease lost'));
    if (invs.length > generations.size && !leaseLost)
      problems.push(
        `compensation of ${key} completed ${invs.length} times (generations ${invs.map((inv) => inv.generation).join(', ')}; warnings: ${warnings.join(' | ') || 'none'})`,
      );
  }
  // Reverse completion order, per execution (first compensation call of each step).
  for (const [executionId, order] of completionOrder) {
    const calls: string[] = [];
    for (const inv of model.invocations) {
      if (inv.kind !== 'compensation' || inv.executionId !== executionId) continue;
      const key = inv.key.replace(/:compensate$/, '');
      if (!calls.includes(key)) calls.push(key);
    }
    const expected = order.filter((key) => calls.includes(key)).reverse();
    if (JSON.stringify(calls) !== JSON.stringify(expected))
      problems.push(
        `${executionId}: compensations ${calls.join(',')} not reverse of completions ${expected}`,
      );
    const status = byId.get(executionId);
    // A failed or cancelled execution compensates every step it completed that has one.
    if (status && status.status !== 'completed') {
      const owed = order.filter((key) => !(status.workflowId === 'par' && stepOf.get(key) === 'c'));
      const gaveUp = new Set(
        model.generations.flatMap((gen) =>
          (gen.events as Recorded[]).flatMap(({ event, payload }) =>
            event === 'compensation.failed' && payload.final === true && payload.executionId === executionId
              ? [String(payload.step)]
              : [],
          ),
        ),
      );
      for (const key of owed)
        if (!compensationsOk.has(key) && !gaveUp.has(stepOf.get(key) as string))
          problems.push(`${executionId} ended ${status.status} without compensating ${key}`);
    }
  }

  // Events: within one process, each step.started ends once; never twice. A step waiting for its
  // retry ends with a `step.cancelled` of its failed attempt (documented), in a later process too;
  // so does an attempt left running by a process that stopped, when its execution ends on resume
  // before the step goes on (README, events), in a process that never started that attempt: once
  // for that attempt (its execution ends then), and only for one stored running — one the store held
  // running after a close (a close during the write of its start leaves it unannounced), or one
  // another process announced and no process ended since (a lost lease: no close to read after).
  // A step.cancelled of a step that never ran, or of an attempt that ended, is an end without a start.
  // A process that lost its lease on an execution (a starved node past `leaseSeconds`) halts it as a
  // close does, its steps left as stored for the next owner (README: the pairing holds unless the
  // process stops or loses the execution to another node): its starts of that execution are left
  // open at its `lease lost` warning, so that taking the execution up again later is no second start.
  const waiting = new Set<string>();
  const finished = new Set<string>();
  for (const { gen, event, payload } of model.allEvents)
    if (event === 'execution.finished') finished.add(`${gen}|${payload.executionId}`);
  // Keyed by attempt, not visit: a loop's visits reuse attempt numbers, so the count of open
  // starts of one key is at most one at a time.
  const open = new Map<string, number>();
  // The attempts ended on resume by a process that never started them.
  const endedOnResume = new Set<string>();
  // The attempts some process announced (`executionId|parent|step|attempt`), not ended since.
  const announced = new Set<string>();
  const finishes = new Map<string, number>();
  let losses = 0;
  for (const [i, { gen, event, payload }] of model.allEvents.entries()) {
    for (; losses < model.leaseLosses.length && (model.leaseLosses[losses]?.at ?? 0) <= i; losses++) {
      const loss = model.leaseLosses[losses];
      for (const key of open.keys())
        if (key.startsWith(`${loss?.gen}|${loss?.executionId}|`)) open.delete(key);
    }
    const stepKey = `${payload.executionId}|${payload.parent ?? ''}|${payload.step}`;
    const key = `${gen}|${stepKey}|${payload.attempt}`;
    const n = open.get(key) ?? 0;
    if (event === 'execution.finished')
      finishes.set(String(payload.executionId), (finishes.get(String(payload.executionId)) ?? 0) + 1);
    if (event === 'step.started') waiting.delete(stepKey);
    if (event === 'step.failed' && payload.retryAt !== undefined) waiting.add(stepKey);
    if (event === 'step.cancelled' && waiting.delete(stepKey)) continue;
    const attemptKey = `${stepKey}|${payload.attempt}`;
    if (event === 'step.cancelled' && !open.has(key) && !endedOnResume.has(attemptKey)) {
      const storedAt = model.storedRunning.get(attemptKey);
      if (announced.has(attemptKey) || (storedAt !== undefined && storedAt <= i)) {
        endedOnResume.add(attemptKey);
        announced.delete(attemptKey);
        continue;
      }
    }
    if (event === 'step.started') announced.add(attemptKey);
    else if (event === 'step.completed' || event === 'step.failed' || event === 'step.cancelled') {
      announced.delete(attemptKey);
      // Ended after it was read stored running: that reading no longer stands for it.
      const storedAt = model.storedRunning.get(attemptKey);
      if (storedAt !== undefined && storedAt <= i) model.storedRunning.delete(attemptKey);
    }
    if (event === 'step.started') {
      if (n > 0) problems.push(`process ${key} started again before it ended`);
      open.set(key, n + 1);
    }
    if (event === 'step.completed' || event === 'step.failed' || event === 'step.cancelled') {
      if (n === 0) problems.push(`process ${key} ended (${event}) without a start`);
      open.set(key, n - 1);
    }
  }
  for (const [key, n] of open) {
    const [gen, executionId] = key.split('|');
    if (n > 0 && finished.has(`${gen}|${executionId}`))
      problems.push(`process ${key} started but never ended`);
  }
  for (const [id, n] of finishes) if (n > 1) problems.push(`execution ${id} finished ${n} times`);
}

// FUZZ_SEEDS=N runs seeds FUZZ_SEED_BASE (1000) to FUZZ_SEED_BASE + N - 1 instead of the six below.
const SEED_BASE = Number(process.env.FUZZ_SEED_BASE ?? 1000);
const SEEDS = process.env.FUZZ_SEEDS
  ? Array.from({ length: Number(process.env.FUZZ_SEEDS) }, (_, i) => SEED_BASE + i)
  : [1, 2, 3, 4, 5, 6];

describe.each(['memory', 'sqlite', 'postgres', 'postgres, two nodes'] as const)(
  'random operations (%s store)',
  (kind) => {
    it.each(SEEDS)('seed %i keeps every invariant', async (seed) => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const model = await runSeed(kind, seed, Number(process.env.FUZZ_OPS ?? 60));
        expect([...new Set(model.problems)]).toEqual([]);
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });
  },
);
