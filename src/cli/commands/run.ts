/**
 * `orchestrator run`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/run.ts`, loaded only when it runs.
 * @module
 */
import type { Command } from 'commander';
import { commaList } from '../comma-list.js';
import { markListening } from '../interrupt.js';
import { parseIdempotencyKey, parseNonEmpty, parseSeconds } from '../parse.js';

/** The options of `run`. */
export interface RunOptions {
  input?: string;
  inputFile?: string;
  handlers?: string;
  timeout?: number;
  /** `--http-allow`, split at commas and trimmed. */
  httpAllow?: string[];
  idempotencyKey?: string;
}

/** Registers `run`. */
export function register(program: Command): void {
  const command = program
    .command('run')
    .description('define a workflow from a JSON file, execute it and show live progress')
    .argument('<definition>', 'workflow definition file: { "id", "steps", "options"? }', parseNonEmpty)
    .option('--input <json>', 'workflow input as JSON (default: {})')
    .option(
      '--input-file <path>',
      'workflow input from a JSON file, or a pipe such as /dev/stdin (for inputs too large for --input)',
      parseNonEmpty,
    )
    .option(
      '--handlers <module>',
      'ES module exporting `actions` and `compensations` objects (path relative to the working directory)',
      parseNonEmpty,
    )
    .option(
      '--idempotency-key <key>',
      'start the execution under this key: a run given a key already used follows the execution it started',
      parseIdempotencyKey,
    )
    .option(
      '--timeout <seconds>',
      'stop waiting after this many seconds (the execution stays in the store and resumes on the next start)',
      parseSeconds,
    )
    .option(
      '--http-allow <hosts>',
      'comma-separated hosts, IPs or CIDRs the `http` action may reach even if private',
      commaList('hosts, IPs or CIDRs'),
    )
    .action(async (file: string, options: RunOptions, command: Command) => {
      const { run } = await import('../actions/run.js');
      process.exitCode = await run(file, options, command);
    });
  // Its action listens for Ctrl-C itself: one held since the start is handed to it.
  markListening(command);
}
