/**
 * `orchestrator run <definition.json>`: defines the workflow, executes it with live progress,
 * prints the final summary (or, with `--json`, the final `ExecutionStatus`). Exit 0 only if the
 * execution completed. Ctrl-C closes the orchestrator; the execution stays in the store and
 * resumes the next time an orchestrator opens it (e.g. the next `run`).
 * Ctrl-C while it starts (waiting for a pipe's writer, its handlers module loading, its store
 * opening) stops it before it defines or runs anything.
 * @module
 */
import type { Command } from 'commander';
import { echo } from '../../echo.js';
import { TimeoutError } from '../../errors.js';
import { createOrchestrator, type Orchestrator } from '../../orchestrator.js';
import type { ExecutionStatus } from '../../types.js';
import type { RunOptions } from '../commands/run.js';
import { readDefinitionFileAsync } from '../definition-file.js';
import { EXIT, UsageError } from '../errors.js';
import { formatDuration, jsonPreview, plural, printable } from '../format.js';
import type { Globals } from '../globals.js';
import { setup } from '../globals.js';
import { checkHandlersCover, type Handlers, loadHandlers } from '../handlers-module.js';
import { parseHttpAllow } from '../http-allow.js';
import { oneStream, readInputFile, readInputOption } from '../input-option.js';
import { INTERRUPTED_TWICE, type Interrupt, listenForInterrupt } from '../interrupt.js';
import { beforeStoreUnlessInterrupted } from '../interrupted-start.js';
import { cliLogger } from '../logger.js';
import type { Output } from '../output.js';
import { PROGRESS_MESSAGE_WIDTH, ProgressPrinter } from '../progress.js';
import { outcomeText, renderStatus } from '../render-status.js';
import { inProcessStore } from '../store-client.js';
import { cliStoreError } from '../store-url-error.js';

type Outcome =
  | { kind: 'done'; status: ExecutionStatus }
  | { kind: 'timeout'; error: TimeoutError }
  | { kind: 'interrupted' };

const POLL_MS = 100;

/** Runs `run`; its exit code. */
export async function run(file: string, options: RunOptions, command: Command): Promise<number> {
  const { globals, out } = setup(command);
  if (options.input !== undefined && options.inputFile !== undefined) {
    throw new UsageError('--input and --input-file both give the input: pass one of them');
  }
  if (options.inputFile !== undefined && oneStream(file, options.inputFile)) {
    throw new UsageError(
      `the definition file and --input-file both read ${echo(options.inputFile)}, one stream: give one of them a file of its own`,
    );
  }
  // Checked as executeWorkflow checks it, before the store opens: a refused input opens nothing.
  let input = readInputOption(options.input);
  const httpAllowlist = parseHttpAllow(options.httpAllow);
  // A second Ctrl-C exits at once; with --json, stdout still gets its one document.
  const interrupt = listenForInterrupt(() => {
    out.error('INTERRUPTED', INTERRUPTED_TWICE);
    process.exit(EXIT.interrupted);
  });
  let orch: Orchestrator | null = null;
  try {
    // A file the user named may be a pipe (`run <(jq …)`, `run /dev/stdin`) whose writer has not
    // come yet: a signal while it waits stops the run, the read not waited for.
    const def = await beforeStoreUnlessInterrupted(
      readDefinitionFileAsync(file, { pipes: true }),
      interrupt,
      'run',
    );
    // The same for an input file, which may be a pipe too.
    if (options.inputFile !== undefined) {
      input = await beforeStoreUnlessInterrupted(readInputFile(options.inputFile), interrupt, 'run');
    }
    // A signal while the handlers module loads stops the run at once, the load not waited for.
    const handlers: Handlers = options.handlers
      ? await beforeStoreUnlessInterrupted(loadHandlers(options.handlers), interrupt, 'run')
      : { actions: {}, compensations: {} };
    checkHandlersCover(
      def.steps,
      handlers,
      options.handlers ? `export them from '${options.handlers}'` : 'pass --handlers <module>',
    );
    const logger = cliLogger();
    orch = await createOrchestrator({
      store: globals.store,
      ...handlers,
      httpAllowlist,
      ...(logger ? { logger } : {}),
    }).catch((error: unknown) => {
      // A URL the store refuses (`sqlite:~/x.db`) named as where it came from, not as `store`.
      throw cliStoreError(error, globals.storeKey);
    });
    // A signal while the store opened: closed again, nothing defined nor run.
    if (interrupt.fired) return await interrupted(orch, null, globals, out);
    const resumed = orch.getLocalLoad();
    const defined = await orch.workflowEngine.defineWorkflow(def.id, def.steps, def.options);
    out.line(
      `${out.style.bold(`Workflow ${defined.id} v${defined.version}`)} (${plural(defined.steps.length, 'step')}) on ${printable(globals.storeLabel)}`,
    );
    if (resumed.running + resumed.queued > 0) {
      out.line(
        `Resuming ${plural(resumed.running + resumed.queued, 'unfinished execution')} found in the store`,
      );
    }
    if (interrupt.fired) return await interrupted(orch, null, globals, out);
    const progress = new ProgressPrinter(out, def.steps);
    const detach = out.json ? () => undefined : progress.attach(orch);
    const started = await start(orch, def.id, input, options.idempotencyKey);
    const id = started.id;
    let shownInput = input;
    if (started.reused) {
      // The execution the key started earlier, with its own input (this run's is not used).
      shownInput = (await orch.workflowEngine.getExecutionStatus(id))?.inputData ?? input;
      out.note(
        `idempotency key ${echo(options.idempotencyKey ?? '')} started execution ${id} before: following it, with its own input`,
      );
    } else await warnOfOtherVersion(orch, id, defined.version, out);
    out.line(
      `Execution ${id}  input ${jsonPreview(shownInput, 80)}`,
      out.style.dim(
        inProcessStore(globals.store)
          ? 'Ctrl-C stops it (this store lives in this process: nothing of it is kept)'
          : 'Ctrl-C stops and keeps it in the store',
      ),
      '',
    );
    progress.follow(id);

    const outcome = await wait(orch, id, options.timeout, interrupt);
    if (outcome.kind === 'interrupted') return await interrupted(orch, id, globals, out);
    const status =
      outcome.kind === 'done' ? outcome.status : await orch.workflowEngine.getExecutionStatus(id);
    if (status) progress.finished(outcomeText(status, out.style, Date.now(), PROGRESS_MESSAGE_WIDTH));
    const drained = outcome.kind !== 'done' || (await drainResumed(orch, out, interrupt));
    detach();
    if (status) {
      if (out.json) out.data(status);
      else out.line('', ...renderStatus(status, out.style));
    }
    if (!drained) return await interrupted(orch, null, globals, out);
    if (outcome.kind === 'timeout') {
      out.problem(
        `error: execution ${id} did not finish within ${options.timeout}s; ${keepsNothing(globals) ? 'the memory store keeps nothing, so it ends with this process' : 'it stays in the store and resumes on the next start'}`,
      );
      return EXIT.failed;
    }
    return outcome.status.status === 'completed' ? EXIT.ok : EXIT.failed;
  } finally {
    interrupt.dispose();
    await orch?.close();
  }
}

/**
 * Starts the execution, under `key` if given; `reused`: the key had started one already (no
 * execution was created: `executeWorkflow` answered the earlier one's id).
 */
async function start(
  orch: Orchestrator,
  workflowId: string,
  input: unknown,
  key: string | undefined,
): Promise<{ id: string; reused: boolean }> {
  if (key === undefined)
    return { id: await orch.workflowEngine.executeWorkflow(workflowId, input), reused: false };
  const created = new Set<string>();
  const onCreated = (event: { executionId: string }) => created.add(event.executionId);
  orch.on('execution.created', onCreated);
  try {
    const id = await orch.workflowEngine.executeWorkflow(workflowId, input, { idempotencyKey: key });
    return { id, reused: !created.has(id) };
  } finally {
    orch.off('execution.created', onCreated);
  }
}

/**
 * `executeWorkflow` starts the latest version, which another process sharing the store may have
 * defined after this run's define, once this process re-reads the workflow's versions (its read is
 * a `sweepInterval` old: a slow save, a clock stepped back). The engine cannot be asked for a
 * version; a run that started another one than it printed says so.
 */
async function warnOfOtherVersion(
  orch: Orchestrator,
  id: string,
  defined: number,
  out: Output,
): Promise<void> {
  const started = await orch.workflowEngine.getExecutionStatus(id);
  if (started === null || started.workflowVersion === defined) return;
  const version = started.workflowVersion;
  out.warn(
    `the execution runs workflow ${started.workflowId} v${version}, not v${defined} defined above: another process defined v${version} meanwhile`,
  );
}

async function wait(
  orch: Orchestrator,
  id: string,
  timeout: number | undefined,
  interrupt: Interrupt,
): Promise<Outcome> {
  const done = orch.workflowEngine
    .waitForCompletion(id, timeout === undefined ? {} : { timeout })
    .then((status): Outcome => ({ kind: 'done', status }))
    .catch((error: unknown): Outcome => {
      if (error instanceof TimeoutError) return { kind: 'timeout', error };
      throw error;
    });
  return Promise.race([done, interrupt.signaled.then((): Outcome => ({ kind: 'interrupted' }))]);
}

/** Waits for executions resumed from earlier runs; false if interrupted meanwhile. */
async function drainResumed(orch: Orchestrator, out: Output, interrupt: Interrupt): Promise<boolean> {
  let told = false;
  for (;;) {
    const load = orch.getLocalLoad();
    const left = load.running + load.queued;
    if (left === 0) return true;
    if (interrupt.fired) return false;
    if (!told) {
      out.note(
        `waiting for ${plural(left, 'resumed execution')} to finish (Ctrl-C leaves them in the store for the next start)`,
      );
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A store in memory: nothing is left for a next start to resume. */
function keepsNothing(globals: Globals): boolean {
  return inProcessStore(globals.store);
}

async function interrupted(
  orch: Orchestrator,
  id: string | null,
  globals: Globals,
  out: Output,
): Promise<number> {
  const status = id ? await orch.workflowEngine.getExecutionStatus(id) : null;
  const message = keepsNothing(globals)
    ? `interrupted: closing. The memory store keeps nothing: ${id ? `execution ${id} ends` : 'unfinished executions end'} with this process.`
    : `interrupted: closing. ${id ? `Execution ${id} stays in the store and resumes` : 'Unfinished executions stay in the store and resume'} the next time an orchestrator opens ${printable(globals.storeLabel)} (e.g. the next \`orchestrator run\` on it).`;
  out.note(`\n${message}`);
  await orch.close();
  if (out.json && status) out.data(status);
  else if (status)
    out.line(`  status ${status.status} after ${formatDuration(Date.now() - status.startedAt.getTime())}`);
  // Interrupted before there was a status to print: with --json, still one document on stdout
  // (or, if the status was printed already, the reason on stderr).
  else if (out.json) out.error('INTERRUPTED', message);
  return EXIT.interrupted;
}
