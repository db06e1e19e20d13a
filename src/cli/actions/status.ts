/**
 * `orchestrator status <executionId>`: the execution's summary (steps with attempts and
 * durations, outputs, error, compensations) read from the store, or its `ExecutionStatus`
 * as JSON. Exit 1 if the store does not know the id.
 * @module
 */
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { setup } from '../globals.js';
import { renderStatus } from '../render-status.js';
import { storeHint, withClient } from '../store-client.js';

/** Runs `status`. */
export async function statusCommand(id: string, command: Command): Promise<void> {
  const { globals, out } = setup(command);
  const status = await withClient(globals, (client) => client.getStatus(id));
  if (!status) {
    throw new CliError(
      `execution '${id}' not found in store ${globals.storeLabel}${storeHint(globals.store)}`,
      {
        code: 'EXECUTION_NOT_FOUND',
      },
    );
  }
  if (out.json) out.data(status);
  else out.line(...renderStatus(status, out.style));
  process.exitCode = 0;
}
