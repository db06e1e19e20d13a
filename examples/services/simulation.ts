/**
 * The simulation knobs shared by the example services: realistic latencies with jitter that
 * honour `ctx.signal`, and failures switched on per step from the workflow input or the
 * environment.
 *
 * Flags (workflow input keys, or environment variables):
 * - `fast: true` / `EXAMPLE_FAST=1`: latencies ×0.01 (for tests);
 * - `latency: 5` / `EXAMPLE_LATENCY=5`: latencies ×5 (time to try `orchestrator cancel`);
 * - `failures: { "transcribe_stt": 2 }` / `EXAMPLE_FAILURES='{"transcribe_stt":2}'`: the first
 *   2 attempts of that step fail with a retryable `SERVICE_UNAVAILABLE`;
 * - `fail: "store_result"` (or a list) / `EXAMPLE_FAIL=store_result,send_email`: that step fails
 *   for good (`NonRetryableError`, code `SIMULATED_FAILURE`), so the saga compensates; a
 *   compensation named there (`refund_payment`) fails for good too.
 *
 * Steps whose input is an expression do not see the workflow input, so the first step of each
 * example echoes the flags in its output (`simulation`) and the others find them in `ctx.outputs`.
 *
 * A mistyped flag is refused, not ignored (a demo would quietly run without the failure it was
 * meant to show): the first step of each example fails with `UNKNOWN_FLAG` on an input key its
 * workflow does not take or a `fail`/`failures` naming no step (or compensation) of it, every step
 * on an `EXAMPLE_*` variable not listed above or `EXAMPLE_QUIET`,
 * each naming it and listing the valid ones; a flag of the wrong type fails with `BAD_SIMULATION`.
 * @module
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionHandler, CompensationHandler, StepContext } from '../../src/index.js';
import { NonRetryableError } from '../../src/index.js';

/** Simulation flags in effect for one step. */
export interface SimulationFlags {
  /** Latency multiplier (`fast` means 0.01). */
  latency: number;
  /** Step name → how many first attempts fail (retryable). */
  failures: Record<string, number>;
  /** Steps that fail for good. */
  fail: string[];
}

const FLAG_KEYS = ['fast', 'latency', 'failures', 'fail'] as const;

/** The environment variables the examples read (`EXAMPLE_QUIET`: see {@link log}). */
const ENV_FLAGS = ['EXAMPLE_FAST', 'EXAMPLE_LATENCY', 'EXAMPLE_FAILURES', 'EXAMPLE_FAIL', 'EXAMPLE_QUIET'];

type Raw = Partial<Record<(typeof FLAG_KEYS)[number], unknown>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const badSimulation = (message: string) => new NonRetryableError(message, { code: 'BAD_SIMULATION' });
const unknownFlag = (message: string) => new NonRetryableError(message, { code: 'UNKNOWN_FLAG' });

function fromEnv(env: NodeJS.ProcessEnv): Raw {
  for (const name of Object.keys(env)) {
    if (name.startsWith('EXAMPLE_') && !ENV_FLAGS.includes(name)) {
      throw unknownFlag(`unknown environment variable ${name}; the examples read ${ENV_FLAGS.join(', ')}`);
    }
  }
  const raw: Raw = {};
  const fast = env.EXAMPLE_FAST;
  if (fast !== undefined && !['', '0', '1', 'false', 'true'].includes(fast)) {
    throw badSimulation(`EXAMPLE_FAST must be 1, true, 0 or false, got ${JSON.stringify(fast)}`);
  }
  if (fast === '1' || fast === 'true') raw.fast = true;
  if (env.EXAMPLE_LATENCY) {
    const latency = Number(env.EXAMPLE_LATENCY);
    if (!(Number.isFinite(latency) && latency >= 0)) {
      throw badSimulation(
        `EXAMPLE_LATENCY must be a number of 0 or more, got ${JSON.stringify(env.EXAMPLE_LATENCY)}`,
      );
    }
    raw.latency = latency;
  }
  if (env.EXAMPLE_FAIL) raw.fail = env.EXAMPLE_FAIL.split(',').map((s) => s.trim());
  if (env.EXAMPLE_FAILURES) {
    try {
      raw.failures = JSON.parse(env.EXAMPLE_FAILURES) as unknown;
    } catch {
      throw badSimulation('EXAMPLE_FAILURES is not valid JSON');
    }
  }
  return raw;
}

/** Refuses a flag of the wrong type, naming it (`where`: how it was given). */
function checkValues(raw: Raw, where: (key: string) => string): void {
  const got = (value: unknown) => `got ${JSON.stringify(value) ?? String(value)}`;
  if (raw.fast !== undefined && typeof raw.fast !== 'boolean') {
    throw badSimulation(`${where('fast')} must be true or false, ${got(raw.fast)}`);
  }
  const { latency, failures, fail } = raw;
  if (latency !== undefined && !(typeof latency === 'number' && Number.isFinite(latency) && latency >= 0)) {
    throw badSimulation(`${where('latency')} must be a number of 0 or more, ${got(latency)}`);
  }
  const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (failures !== undefined && !(isObject(failures) && Object.values(failures).every(count))) {
    throw badSimulation(
      `${where('failures')} must be an object of step names to numbers of failing attempts, ${got(failures)}`,
    );
  }
  const names = (v: unknown) =>
    typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (fail !== undefined && !names(fail)) {
    throw badSimulation(
      `${where('fail')} must be a step or compensation name or a list of them, ${got(fail)}`,
    );
  }
}

/** A workflow's handlers, by the step and compensation names they serve (the same names). */
export interface WorkflowHandlers {
  actions: Record<string, ActionHandler>;
  compensations: Record<string, CompensationHandler>;
}

/**
 * The flags of a workflow's first step, which sees the workflow input: an input key that is
 * neither one of `fields` (what the workflow takes) nor a simulation flag is refused, naming it;
 * so is a `fail` or `failures` naming no step of `workflow` that runs an action (nor, for `fail`,
 * one of its compensations): a misspelt `"fail": "store_reslt"` ran the demo without a failure.
 */
export function firstStepFlags(
  input: unknown,
  ctx: Pick<StepContext, 'outputs'>,
  fields: readonly string[],
  workflow: WorkflowHandlers,
  env = process.env,
): SimulationFlags {
  if (isObject(input)) {
    const valid: readonly string[] = [...fields, ...FLAG_KEYS];
    const unknown = Object.keys(input).find((key) => !valid.includes(key));
    if (unknown !== undefined) {
      throw unknownFlag(
        `unknown input key '${unknown}'; this workflow takes ${valid.join(', ')} (the last ${FLAG_KEYS.length} are simulation flags: examples/README.md)`,
      );
    }
  }
  const flags = flagsFor(input, ctx, env);
  const given = simulationOf(input);
  const steps = Object.keys(workflow.actions);
  const undoable = [...steps, ...Object.keys(workflow.compensations)];
  const where = (key: 'fail' | 'failures') =>
    given?.[key] !== undefined ? key : key === 'fail' ? 'EXAMPLE_FAIL' : 'EXAMPLE_FAILURES';
  const strayFail = flags.fail.find((name) => !undoable.includes(name));
  if (strayFail !== undefined) {
    throw unknownFlag(
      `${where('fail')} names '${strayFail}', no step or compensation of this workflow; it has ${undoable.join(', ')}`,
    );
  }
  const strayFailing = Object.keys(flags.failures).find((name) => !steps.includes(name));
  if (strayFailing !== undefined) {
    throw unknownFlag(
      `${where('failures')} names '${strayFailing}', no step of this workflow; it has ${steps.join(', ')}`,
    );
  }
  return flags;
}

/** The flags given in a workflow input, or undefined if it sets none (what first steps echo). */
export function simulationOf(input: unknown): Raw | undefined {
  if (!isObject(input)) return undefined;
  const raw: Raw = {};
  for (const key of FLAG_KEYS) if (input[key] !== undefined) raw[key] = input[key];
  return Object.keys(raw).length > 0 ? raw : undefined;
}

/** Flags for a step: the environment, overridden by the step input's flags or the echoed ones. */
export function flagsFor(
  input: unknown,
  ctx: Pick<StepContext, 'outputs'>,
  env = process.env,
): SimulationFlags {
  let given = simulationOf(input);
  if (!given) {
    for (const output of Object.values(ctx.outputs ?? {})) {
      if (isObject(output) && isObject(output.simulation)) given = output.simulation as Raw;
    }
  }
  const fromEnvironment = fromEnv(env);
  checkValues(fromEnvironment, (key) => (key === 'fail' ? 'EXAMPLE_FAIL' : `EXAMPLE_${key.toUpperCase()}`));
  if (given) checkValues(given, (key) => key);
  const raw = { ...fromEnvironment, ...given };
  const latency =
    raw.fast === true ? 0.01 : typeof raw.latency === 'number' && raw.latency >= 0 ? raw.latency : 1;
  const failures: Record<string, number> = {};
  if (isObject(raw.failures)) {
    for (const [step, n] of Object.entries(raw.failures)) if (typeof n === 'number') failures[step] = n;
  }
  const fail =
    typeof raw.fail === 'string' ? [raw.fail] : Array.isArray(raw.fail) ? raw.fail.map(String) : [];
  return { latency, failures, fail };
}

/** Waits about `baseMs` × the latency multiplier (±15% jitter); rejects if `signal` aborts. */
export async function work(baseMs: number, flags: SimulationFlags, signal?: AbortSignal): Promise<void> {
  const jitter = 0.85 + Math.random() * 0.3;
  const ms = Math.round(baseMs * flags.latency * jitter);
  if (ms > 0) await sleep(ms, undefined, signal ? { signal } : {});
  else signal?.throwIfAborted();
}

/** A retryable failure of a remote service. */
export class ServiceUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'ServiceUnavailableError';
  }
}

/** Throws the failure the flags ask for on this attempt of this step, if any. */
export function failIfAsked(service: string, flags: SimulationFlags, ctx: StepContext): void {
  if (flags.fail.includes(ctx.stepName)) {
    throw new NonRetryableError(`${service} rejected the request (simulated permanent failure)`, {
      code: 'SIMULATED_FAILURE',
    });
  }
  const failing = flags.failures[ctx.stepName] ?? 0;
  if (ctx.attempt <= failing) {
    throw new ServiceUnavailableError(
      `${service} unavailable (simulated: attempt ${ctx.attempt} of the first ${failing} fails)`,
    );
  }
}

/**
 * An action that simulates a call to `service`: waits its latency, fails when asked, then
 * returns what `body` computes.
 */
export function simulated<I>(
  service: string,
  baseMs: number,
  body: (input: I, ctx: StepContext) => unknown,
): ActionHandler {
  return async (input, ctx) => {
    const flags = flagsFor(input, ctx);
    await work(baseMs, flags, ctx.signal);
    failIfAsked(service, flags, ctx);
    return body((input ?? {}) as I, ctx);
  };
}

/**
 * A compensation named `name` that simulates undoing a step through `service`: waits its
 * latency, fails for good when the `fail` flag names it, then runs `body`.
 */
export function simulatedUndo(
  name: string,
  service: string,
  baseMs: number,
  body: (stepOutput: Record<string, unknown>, ctx: StepContext) => void,
): CompensationHandler {
  return async (stepOutput, ctx) => {
    const flags = flagsFor(undefined, ctx);
    await work(baseMs, flags, ctx.signal);
    if (flags.fail.includes(name)) {
      throw new NonRetryableError(`${service} could not undo ${ctx.stepName} (simulated permanent failure)`, {
        code: 'SIMULATED_FAILURE',
      });
    }
    body(isObject(stepOutput) ? stepOutput : {}, ctx);
  };
}

/** A short stable id derived from a key (e.g. `ctx.idempotencyKey`): same key, same id. */
export function stableId(prefix: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}

/** A deterministic number in [0, 1) from a string (for simulated data). */
export function unitFrom(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** Logs what a simulated compensation undid (stderr, so `--json` output stays clean; `EXAMPLE_QUIET=1` silences). */
export function log(message: string): void {
  if (process.env.EXAMPLE_QUIET === '1') return;
  process.stderr.write(`  [examples] ${message}\n`);
}
