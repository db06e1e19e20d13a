/**
 * `orchestrator serve`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/serve.ts`, loaded only when it runs.
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_BODY_LIMIT } from '../../server/body-limit.js';
import { markListening } from '../interrupt.js';
import { parseGrace, parseNonEmpty, parsePositiveInt } from '../parse.js';

/** The options of `serve`. */
export interface ServeOptions {
  port: number;
  host: string;
  handlers?: string;
  workflows?: string;
  grace: number;
  alertWebhook?: string;
  bodyLimit: number;
  httpAllow?: string;
  config?: string;
  remoteActions?: string;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new InvalidArgumentError('Expected a port number from 0 to 65535 (0: any free port).');
  }
  return n;
}

/**
 * An address to listen on. An empty one (`--host "$HOST"` with HOST unset) would make the server
 * listen on every interface, the opposite of the loopback default: refused.
 */
function parseHost(value: string): string {
  if (value.trim() === '' || /[\s\p{Cc}]/u.test(value)) {
    throw new InvalidArgumentError(
      'Expected an address to listen on (such as 127.0.0.1, or 0.0.0.0 for every interface).',
    );
  }
  return value;
}

/** Registers `serve`. */
export function register(program: Command): void {
  const command = program
    .command('serve')
    .description('run the HTTP API (token from ORCHESTRATOR_API_TOKEN, else generated and printed)')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
    .option('--host <host>', 'address to listen on', parseHost, '127.0.0.1')
    .option(
      '--handlers <module>',
      'ES module exporting `actions` and `compensations` objects (path relative to the working directory)',
      parseNonEmpty,
    )
    .option(
      '--workflows <dir>',
      'define every *.json workflow definition in this folder at start',
      parseNonEmpty,
    )
    .option('--grace <seconds>', 'on SIGINT/SIGTERM, let running steps finish for this long', parseGrace, 10)
    .option('--alert-webhook <url>', 'POST every alert as JSON to this URL (best-effort)', parseNonEmpty)
    .option(
      '--body-limit <bytes>',
      'largest request body accepted',
      parsePositiveInt(1024 ** 3),
      DEFAULT_BODY_LIMIT,
    )
    .option(
      '--http-allow <hosts>',
      'comma-separated hosts, IPs or CIDRs the `http` action may reach even if private',
    )
    .option(
      '--remote-actions <names>',
      'comma-separated actions served by remote workers (docs/remote-workers.md): their steps wait for a worker',
    )
    .option(
      '--config <file>',
      'JSON file of orchestrator config keys (maxConcurrentWorkflows, workers, alerts thresholds, ...)',
      parseNonEmpty,
    )
    .action(async (options: ServeOptions, command: Command) => {
      const { serve } = await import('../actions/serve.js');
      process.exitCode = await serve(options, command);
    });
  // Its action listens for Ctrl-C itself: one held since the start is handed to it.
  markListening(command);
}
