/**
 * Every `orchestrator` command, in the order `--help` lists them. Each command lives in its own
 * module under `commands/` and exports `register(program)` (its name, options and help; its
 * action imports what it does from `actions/`); add a command by adding it here.
 * @module
 */
import type { Command } from 'commander';
import { register as registerBackup } from './commands/backup.js';
import { register as registerCancel } from './commands/cancel.js';
import { register as registerList } from './commands/list.js';
import { register as registerMetrics } from './commands/metrics.js';
import { register as registerMigrate } from './commands/migrate.js';
import { register as registerPerformance } from './commands/performance.js';
import { register as registerPurge } from './commands/purge.js';
import { register as registerRun } from './commands/run.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerWorkers } from './commands/workers.js';
import { register as registerWorkflows } from './commands/workflows.js';

/** The commands' `register` functions, in the order `--help` lists them. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerRun,
  registerWorkflows,
  registerStatus,
  registerList,
  registerCancel,
  registerMetrics,
  registerPerformance,
  registerWorkers,
  registerMigrate,
  registerPurge,
  registerBackup,
  registerServe,
];
