/**
 * Shared test helpers: orchestrators that close themselves after each test, fresh temporary
 * SQLite files, event collectors and virtual-time drivers for `FakeClock`.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { Logger } from '../../src/config.js';
import {
  createOrchestrator,
  type EventName,
  type ExecutionStatus,
  type FakeClock,
  type Orchestrator,
  type OrchestratorEvents,
  type OrchestratorOptions,
  type StepContext,
} from '../../src/index.js';
import { TERMINAL_STATES } from '../../src/types.js';
import type { AnyStoreKind } from './all-stores.js';

/** The stores every engine behaviour is checked on. */
export const STORE_KINDS = ['memory', 'sqlite'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

interface Resources {
  orchestrators: Orchestrator[];
  dirs: string[];
}

let current: Resources | null = null;

/** The current test's resources; the first call registers one cleanup that closes and removes them. */
function resources(): Resources {
  if (current) return current;
  const res: Resources = { orchestrators: [], dirs: [] };
  current = res;
  onTestFinished(async () => {
    current = null;
    // Orchestrators first (they hold the files), then the directories.
    for (const orch of res.orchestrators.reverse()) await orch.close().catch(() => undefined);
    for (const dir of res.dirs) rmSync(dir, { recursive: true, force: true });
  });
  return res;
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orch-test-'));
  resources().dirs.push(dir);
  return dir;
}

/** A store URL on a fresh temporary SQLite file (removed when the test ends). */
export function tempSqliteUrl(): string {
  return `sqlite:${join(tempDir(), 'orchestrator.sqlite')}`;
}

/** The store URL for a kind: `memory`, or a fresh temporary SQLite file. */
export function storeUrl(kind: StoreKind): string {
  return kind === 'memory' ? 'memory' : tempSqliteUrl();
}

/** Creates an orchestrator that is closed when the test ends (whatever the outcome). */
export async function withOrchestrator(options: OrchestratorOptions = {}): Promise<Orchestrator> {
  const res = resources();
  const orch = await createOrchestrator({ store: 'memory', ...options });
  res.orchestrators.push(orch);
  return orch;
}

/** Records every payload of the given events, in order, as `[event, payload]` pairs. */
export function collectEvents<E extends EventName>(
  orch: Orchestrator,
  events: readonly E[],
): { all: { event: E; payload: OrchestratorEvents[E] }[]; of<F extends E>(e: F): OrchestratorEvents[F][] } {
  const all: { event: E; payload: OrchestratorEvents[E] }[] = [];
  for (const event of events) orch.on(event, (payload) => all.push({ event, payload }));
  return {
    all,
    of: <F extends E>(e: F) =>
      all.filter((x) => x.event === e).map((x) => x.payload as OrchestratorEvents[F]),
  };
}

/** Resolves with the first payload of `event` that matches `predicate`. */
export function nextEvent<E extends EventName>(
  orch: Orchestrator,
  event: E,
  predicate: (payload: OrchestratorEvents[E]) => boolean = () => true,
): Promise<OrchestratorEvents[E]> {
  return new Promise((resolve) => {
    const listener = (payload: OrchestratorEvents[E]) => {
      if (!predicate(payload)) return;
      orch.off(event, listener);
      resolve(payload);
    };
    orch.on(event, listener);
  });
}

/** A promise with its resolver, for handlers that block until the test lets them go. */
export interface Gate<T = void> {
  promise: Promise<T>;
  open(value: T): void;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** A promise that rejects when `signal` aborts (for handlers that honour their signal). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Stores one execution of the workflow `registration` (one step, `register`) and closes the
 * process while that step runs: the execution is left running in `store` for the next process
 * to take up. Returns its id.
 */
export async function registrationLeftRunning(
  store: string,
  options: OrchestratorOptions = {},
): Promise<string> {
  const register = (_input: unknown, ctx: StepContext) => untilAborted(ctx.signal);
  const first = await withOrchestrator({ ...options, store, actions: { register } });
  await first.workflowEngine.defineWorkflow('registration', [{ name: 'register' }]);
  const id = await first.workflowEngine.executeWorkflow('registration');
  await first.close();
  return id;
}

/** Options of {@link driveClock}. */
export interface DriveOptions {
  /** Virtual ms per slice. @default 100 */
  stepMs?: number;
  /** Virtual ms before giving up. @default 600000 */
  maxMs?: number;
  /**
   * Real ms to wait after each slice, for a store whose writes are real I/O (PostgreSQL): without
   * it the virtual time runs out before a write answers. @default 0
   */
  realMs?: number;
}

/**
 * Advances `clock` in `stepMs` slices until `promise` settles, then returns its value.
 * Fails after `maxMs` of virtual time, so a stuck execution fails the test instead of hanging.
 */
export async function driveClock<T>(
  clock: FakeClock,
  promise: Promise<T>,
  { stepMs = 100, maxMs = 600_000, realMs = 0 }: DriveOptions = {},
): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  const start = clock.now();
  while (!settled) {
    if (clock.now() - start > maxMs) throw new Error(`still unsettled after ${maxMs} ms of virtual time`);
    await clock.advance(stepMs);
    if (realMs > 0) await new Promise((resolve) => setTimeout(resolve, realMs));
  }
  return watched;
}

/**
 * How to drive a fake clock over a store of `kind`: a PostgreSQL write answers in real time, so
 * real time passes between the slices there (else the virtual time runs on while a write is
 * answered, towards the workflow's timeout and past leases).
 */
export function drivingFor(kind: AnyStoreKind): DriveOptions {
  return kind === 'postgres' ? { realMs: 5 } : {};
}

/** Waits (in virtual time, driving `clock`) for an execution to reach a terminal state. */
export function finishWithClock(
  orch: Orchestrator,
  clock: FakeClock,
  id: string,
  options?: DriveOptions,
): Promise<ExecutionStatus> {
  return driveClock(clock, orch.workflowEngine.waitForCompletion(id), options);
}

/** Polls the engine's status until `predicate` holds (real time; for states with no event). */
export async function waitForStatus(
  orch: Orchestrator,
  id: string,
  predicate: (status: ExecutionStatus) => boolean,
  timeoutMs = 5_000,
): Promise<ExecutionStatus> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const status = await orch.workflowEngine.getExecutionStatus(id);
    if (status && predicate(status)) return status;
    if (Date.now() > end) throw new Error(`status of ${id} never matched: ${JSON.stringify(status)}`);
    await nextTurn();
  }
}

/** Waits, polling every 5 ms for at most ~2 s, until `check` holds; throws if it never does. */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not met in time');
}

/** Resolves on the next turn of the event loop (after pending I/O and immediates). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether a status is terminal. */
export function isTerminal(status: ExecutionStatus): boolean {
  return TERMINAL_STATES.has(status.status);
}

/** Runs one execution of a defined workflow to the end (real time), waiting at most `timeoutSeconds`. */
export async function runToEnd(
  orch: Orchestrator,
  workflowId: string,
  input: unknown = {},
  timeoutSeconds = 10,
): Promise<ExecutionStatus> {
  const id = await orch.workflowEngine.executeWorkflow(workflowId, input);
  return orch.workflowEngine.waitForCompletion(id, { timeout: timeoutSeconds });
}

/** A logger that drops every line (tests whose store failures would otherwise fill the output). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A line a {@link memoryLogger} was given, with its level. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

/** A logger that keeps every line it is given (to assert on what was logged). */
export function memoryLogger(): Logger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, ...(msg === undefined ? {} : { msg }) });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * What `promise` resolves to within `ms` of real time, or the string `no answer after <ms> ms`
 * (for calls that must answer at once, without virtual time passing).
 */
export function answerWithin<T>(promise: Promise<T>, ms = 2_000): Promise<T | string> {
  return Promise.race([
    promise,
    new Promise<string>((resolve) => setTimeout(() => resolve(`no answer after ${ms} ms`), ms)),
  ]);
}
