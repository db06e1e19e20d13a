/**
 * `orchestrator serve`: its name, arguments, options and help, all that `--help` and option
 * parsing need; what it does is in `../actions/serve.ts`, loaded only when it runs.
 * @module
 */
import { isIP } from 'node:net';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_BODY_LIMIT } from '../../server/body-limit.js';
import { originProblem } from '../../server/origins.js';
import { trustProxyEntryProblem } from '../../server/trust-proxy.js';
import { commaList } from '../comma-list.js';
import { markListening } from '../interrupt.js';
import { parseGrace, parseNonEmpty, parsePositiveInt } from '../parse.js';
import { repeatable } from '../repeated-options.js';

/** The options of `serve`. */
export interface ServeOptions {
  port: number;
  host: string;
  handlers?: string;
  workflows?: string;
  grace: number;
  alertWebhook?: string;
  bodyLimit: number;
  /** `--http-allow`, split at commas and trimmed. */
  httpAllow?: string[];
  config?: string;
  /** `--remote-actions`, split at commas and trimmed. */
  remoteActions?: string[];
  /** `--allowed-origin`, each time it was given. */
  allowedOrigin?: string[];
  trustProxy?: string[];
  secureCookie?: boolean;
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
  // Digits and dots that make no IPv4 address (999.1.1.1): listening failed after the start-up,
  // on a DNS lookup of it (exit 1, not a usage error).
  if (/^[\d.]+$/.test(value) && isIP(value) !== 4 && !isIP(hostOfUrl(value))) {
    throw new InvalidArgumentError(
      'Expected an IPv4 address (four numbers from 0 to 255, such as 127.0.0.1).',
    );
  }
  return value;
}

/** The host a URL makes of `value` (`127.1` is 127.0.0.1), or '' when it makes none. */
function hostOfUrl(value: string): string {
  try {
    return new URL(`http://${value}/`).hostname;
  } catch {
    return '';
  }
}

/** One more `--allowed-origin`: `scheme://host[:port]`, checked as the dashboard checks it. */
function collectOrigin(value: string, previous: string[] | undefined): string[] {
  const problem = originProblem(value);
  if (problem !== null) throw new InvalidArgumentError(`${problem}.`);
  return [...(previous ?? []), value];
}

/** `--trust-proxy`: comma-separated IP addresses, CIDRs or range names. */
function parseTrustProxy(value: string): string[] {
  const entries = commaList('proxy addresses, such as 127.0.0.1 or 10.0.0.0/8')(value);
  for (const entry of entries) {
    const problem = trustProxyEntryProblem(entry);
    if (problem !== null) throw new InvalidArgumentError(`${problem}.`);
  }
  return entries;
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
      commaList('hosts, IPs or CIDRs'),
    )
    .option(
      '--remote-actions <names>',
      'comma-separated actions served by remote workers (docs/remote-workers.md): their steps wait for a worker',
      commaList('action names'),
    )
    .addOption(
      repeatable(
        new Option(
          '--allowed-origin <origin>',
          "an origin besides the request's own from which the dashboard may be used, such as https://ops.example.com (repeat for more)",
        ).argParser(collectOrigin),
      ),
    )
    .option(
      '--trust-proxy <addresses>',
      'comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For/-Proto/-Host headers are believed',
      parseTrustProxy,
    )
    .option('--secure-cookie', 'mark the dashboard session cookie Secure (HTTPS ends at a proxy)')
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
