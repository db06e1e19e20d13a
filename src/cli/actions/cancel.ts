/**
 * `orchestrator cancel <executionId>`: cancels a pending or running execution, compensating its
 * completed steps. If a live process owns it, the cancel request is stored and this command
 * waits for the owner to apply it; if nobody owns it (its process died or closed), this process
 * takes it over and cancels it (pass `--handlers` so its compensations can run). Exit 0 only if
 * the execution ends cancelled.
 * @module
 */
import type { Command } from 'commander';
import { missingIn } from '../../engine/unrunnable.js';
import { type ExecutionStatus, TERMINAL_STATES } from '../../types.js';
import type { CancelOptions } from '../commands/cancel.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { printable } from '../format.js';
import { setup } from '../globals.js';
import { type Handlers, loadHandlers } from '../handlers-module.js';
import type { Output } from '../output.js';
import { verdict } from '../render-status.js';
import { hasLiveOwner, StoreClient, storeClockOffsetMs, storeHint } from '../store-client.js';
import { cancelOrphan } from '../takeover.js';

const POLL_MS = 100;

type Via = 'owner' | 'takeover' | 'none';

/** Runs `cancel`; its exit code. */
export async function cancel(id: string, options: CancelOptions, command: Command): Promise<number> {
  const { globals, out } = setup(command);
  const client = await StoreClient.open(globals.store, { key: globals.storeKey });
  const deadline = Date.now() + options.timeout * 1000;
  let via: Via = 'none';
  try {
    let record = await client.getRecord(id);
    if (!record)
      throw new CliError(
        `execution '${id}' not found in store ${globals.storeLabel}${storeHint(globals.store)}`,
        {
          code: 'EXECUTION_NOT_FOUND',
        },
      );
    // Compensating for an earlier cancel (one whose wait ran out, say): waited for as a running
    // one is, to end cancelled; compensating for a failure, it ends failed whatever is asked.
    const beingCancelled = record.status === 'compensating' && record.outcome === 'cancelled';
    if (record.status !== 'pending' && record.status !== 'running' && !beingCancelled) {
      const why = TERMINAL_STATES.has(record.status)
        ? `already ${record.status}`
        : `${record.status} (it is failing)`;
      return report(
        out,
        id,
        false,
        via,
        await client.getStatus(id),
        `execution ${id} is ${why}; nothing to cancel`,
      );
    }
    // Leases are the database's time (cluster nodes keep it), not this host's.
    const offset = await storeClockOffsetMs(client.store);
    const storeNow = () => Date.now() + offset;
    if (hasLiveOwner(record, client.store, storeNow())) {
      via = 'owner';
      await client.store.requestCancel(id);
      out.line(
        `Cancel requested; waiting for its owner ${printable(record.owner ?? '')} to apply it (up to ${options.timeout}s)`,
      );
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        record = await client.getRecord(id);
        if (
          !record ||
          TERMINAL_STATES.has(record.status) ||
          !hasLiveOwner(record, client.store, storeNow())
        ) {
          break;
        }
      }
      if (!record || TERMINAL_STATES.has(record.status) || Date.now() >= deadline) {
        return finish(out, id, via, await client.getStatus(id), options.timeout);
      }
      out.line('Its owner is gone; taking the execution over');
    }
    const handlers: Handlers = options.handlers
      ? await loadHandlers(options.handlers)
      : { actions: {}, compensations: {} };
    // One still queued never started: it ends cancelled with nothing to compensate, and the
    // engine takes it over without any handler (`missingFor`).
    if (record.status !== 'pending') await checkCompensations(client, id, handlers);
    via = 'takeover';
    await client.store.requestCancel(id);
    await client.close();
    out.line(`No live process owns ${id}; cancelling it here`);
    const status = await cancelOrphan(
      globals.store,
      id,
      handlers,
      Math.max(1, (deadline - Date.now()) / 1000),
    );
    return finish(out, id, via, status, options.timeout);
  } finally {
    await client.close();
  }
}

/**
 * Refuses a takeover of a started execution this process could not carry out for want of
 * compensation handlers. The engine takes over a started, cancel-requested execution only with
 * every compensation its workflow names (`missingIn`, as for any execution that only compensates);
 * lacking one, it would release the execution untouched and this command would wait out its
 * timeout for an owner that never comes.
 */
async function checkCompensations(client: StoreClient, id: string, handlers: Handlers): Promise<void> {
  const snapshot = await client.store.getExecution(id);
  if (!snapshot) return;
  const plan = await client.plan(snapshot.execution.workflowId, snapshot.execution.workflowVersion);
  if (!plan) return;
  const missing = missingIn(plan, false, {
    action: () => true,
    compensation: (name) => Object.hasOwn(handlers.compensations, name),
  }).map((what) => what.replace(/^compensation /, ''));
  const names = [...new Set(missing)];
  if (names.length > 0) {
    throw new UsageError(
      `execution ${id} needs the compensation ${names.length === 1 ? 'handler' : 'handlers'} ${names.join(', ')} to be cancelled here; pass --handlers <module>`,
    );
  }
}

function finish(out: Output, id: string, via: Via, status: ExecutionStatus | null, timeout: number): number {
  if (status?.status === 'cancelled') return report(out, id, true, via, status, null);
  const message =
    status && TERMINAL_STATES.has(status.status)
      ? `execution ${id} ended ${status.status} before the cancel took effect`
      : via === 'takeover'
        ? `execution ${id} is not cancelled after ${timeout}s; the request stays in the store and the next orchestrator that opens it finishes the cancel`
        : `execution ${id} is not cancelled after ${timeout}s; the request stays in the store and its owner applies it`;
  return report(out, id, false, via, status, message);
}

function report(
  out: Output,
  id: string,
  cancelled: boolean,
  via: Via,
  status: ExecutionStatus | null,
  problem: string | null,
): number {
  if (out.json) out.data({ id, cancelled, via, ...(problem ? { message: problem } : {}), status });
  else {
    if (status) out.line(verdict(status, out.style));
    if (status && status.compensatedSteps.length > 0)
      out.line(`compensated: ${status.compensatedSteps.join(', ')}`);
  }
  if (problem) out.problem(`not cancelled: ${problem}`);
  return cancelled ? EXIT.ok : EXIT.failed;
}
