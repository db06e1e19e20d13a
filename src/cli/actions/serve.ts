/**
 * `orchestrator serve`: the HTTP service (SPEC §7). Loads a handlers module and every `*.json`
 * definition of a folder, opens the orchestrator on the store (resuming unfinished
 * executions), and serves the API on 127.0.0.1:8080 by default. The API token comes from
 * `ORCHESTRATOR_API_TOKEN`, else a random one is generated and printed once. Logs are pino
 * JSON lines on stderr. SIGINT/SIGTERM stop taking requests and work, let running steps finish
 * for up to `--grace` seconds, and leave the rest in the store for the next start; a second
 * signal exits at once. A signal before it listens (its handlers module loading, its store
 * opening) stops it there, with exit code 130.
 * @module
 */
import type { Command } from 'commander';
import type { Logger } from '../../config.js';
import type { ValidDefinition } from '../../definition/validate.js';
import { echo } from '../../echo.js';
import { ValidationError } from '../../errors.js';
import { createOrchestrator, type Orchestrator } from '../../orchestrator.js';
import { redactUrl } from '../../redact-url.js';
import { actionNameProblem } from '../../remote/action-names.js';
import { RemoteWorkerHub, remoteWorkerHubFor } from '../../remote/hub.js';
import { type AlertWebhook, createAlertWebhook, webhookOrigin } from '../../server/alert-webhook.js';
import { buildApp } from '../../server/app.js';
import { generateToken, MIN_TOKEN_LENGTH, tokenProblem } from '../../server/auth.js';
import { createDashboard } from '../../server/dashboard/index.js';
import { createServerLogger } from '../../server/logger.js';
import { stderrDestination } from '../../stderr-destination.js';
import type { ServeOptions } from '../commands/serve.js';
import { checkConfigFile, readConfigFile } from '../config-file.js';
import { configStore } from '../config-store.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { type Globals, setup } from '../globals.js';
import { checkHandlersCover, type Handlers, loadHandlers } from '../handlers-module.js';
import { parseHttpAllow } from '../http-allow.js';
import { type Interrupt, listenForInterrupt } from '../interrupt.js';
import { beforeStoreUnlessInterrupted, interruptedWhileStarting } from '../interrupted-start.js';
import type { Output } from '../output.js';
import { cliStoreError } from '../store-url-error.js';
import { readWorkflowDir } from '../workflow-dir.js';

/**
 * The `--alert-webhook` target. @throws UsageError naming the flag (the library's refusal names
 * its option, `alertWebhook`; its message shows the URL with any credentials masked).
 */
function alertWebhookOf(url: string, logger: Logger): AlertWebhook {
  try {
    return createAlertWebhook({ url, logger });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new UsageError(`--alert-webhook: ${error.issues.map((issue) => issue.message).join('; ')}`);
  }
}

function urlOf(address: { address: string; port: number }): string {
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Closes `orch` (what it resumed on opening gets `grace` seconds) after a signal came before `serve`
 * listened, and gives the error to stop with (exit 130).
 */
async function stopBeforeListening(
  orch: Orchestrator,
  interrupt: Interrupt,
  grace: number,
): Promise<CliError> {
  await orch.close({ grace });
  return interruptedWhileStarting(
    'serve',
    interrupt,
    'stopped before listening; unfinished executions resume on the next start',
  );
}

/** Runs `serve` until a signal stops it; its exit code. */
export async function serve(options: ServeOptions, command: Command): Promise<number> {
  const { globals, out } = setup(command);
  const definitions = options.workflows ? readWorkflowDir(options.workflows) : [];
  const interrupt = listenForInterrupt();
  try {
    return await serveUntilSignaled(options, globals, out, definitions, interrupt);
  } finally {
    interrupt.dispose();
  }
}

/** `serve` once it listens for signals: one before it listens on its port stops it there (exit 130). */
async function serveUntilSignaled(
  options: ServeOptions,
  globals: Globals,
  out: Output,
  definitions: ValidDefinition[],
  interrupt: Interrupt,
): Promise<number> {
  // A signal while the handlers module loads stops serve at once, the load not waited for.
  const loaded: Handlers = options.handlers
    ? await beforeStoreUnlessInterrupted(loadHandlers(options.handlers), interrupt, 'serve')
    : { actions: {}, compensations: {} };
  const remoteNames = options.remoteActions ?? [];
  const badNames = remoteNames.flatMap((name) => {
    const problem = actionNameProblem(name);
    return problem ? [`--remote-actions: ${echo(name)} ${problem}`] : [];
  });
  if (badNames.length > 0) throw new UsageError(badNames.join('; '));
  const repeated = [...new Set(remoteNames.filter((name, i) => remoteNames.indexOf(name) !== i))];
  if (repeated.length > 0) {
    // A name twice is a typo for another action more often than a wish: refused, not folded.
    throw new UsageError(
      `--remote-actions names ${repeated.map((name) => echo(name)).join(', ')} more than once`,
    );
  }
  const clash = remoteNames.filter((name) => Object.hasOwn(loaded.actions, name));
  if (clash.length > 0) {
    throw new UsageError(
      `--remote-actions names actions the handlers module already serves: ${clash.join(', ')}`,
    );
  }
  // Proxies exist before recovery, so a step of a remote action waits for a worker instead of
  // failing with ACTION_NOT_FOUND when it runs before any worker registered.
  const logger = createServerLogger();
  const hub = remoteNames.length > 0 ? new RemoteWorkerHub({ logger }) : null;
  const handlers: Handlers = {
    actions: { ...loaded.actions, ...(hub ? hub.actions(remoteNames) : {}) },
    compensations: loaded.compensations,
  };
  for (const def of definitions) {
    checkHandlersCover(
      def.steps,
      handlers,
      `workflow '${def.id}' needs them (${options.handlers ? `export them from '${options.handlers}'` : 'pass --handlers <module>'}, or name the actions remote workers serve in --remote-actions)`,
    );
  }
  const envToken = process.env.ORCHESTRATOR_API_TOKEN?.trim();
  const tokenIssue = envToken ? tokenProblem(envToken) : null;
  if (tokenIssue) throw new UsageError(`ORCHESTRATOR_API_TOKEN ${tokenIssue}`);
  const token = envToken || generateToken();
  if (envToken && envToken.length < MIN_TOKEN_LENGTH) {
    logger.warn(
      { length: envToken.length, minimum: MIN_TOKEN_LENGTH },
      `ORCHESTRATOR_API_TOKEN is only ${envToken.length} characters, short enough to guess: use ${MIN_TOKEN_LENGTH} or more random ones (openssl rand -base64 32)`,
    );
  }
  const webhook: AlertWebhook | null = options.alertWebhook
    ? alertWebhookOf(options.alertWebhook, logger)
    : null;
  const fileConfig = await readConfigFile(options.config, (read) =>
    beforeStoreUnlessInterrupted(read, interrupt, 'serve'),
  );
  if (options.config !== undefined)
    checkConfigFile(options.config, fileConfig, globals.storeSource === 'flag');
  // A config `store` that is not a URL is passed on, so the orchestrator rejects it naming the
  // key (JSON holds no Store).
  const { store, storeKey } = configStore(fileConfig, globals);
  const flagAllowlist = parseHttpAllow(options.httpAllow);
  // A config value that is no list is passed on as it is, so the config check refuses it naming
  // `httpAllowlist` (a string spread here would become a list of its characters).
  const fileAllowlist: unknown = fileConfig.httpAllowlist;
  const httpAllowlist =
    fileAllowlist === undefined
      ? flagAllowlist
      : Array.isArray(fileAllowlist)
        ? [...fileAllowlist, ...flagAllowlist]
        : (fileAllowlist as string[]);

  let orch: Orchestrator | null = null;
  try {
    orch = await createOrchestrator({
      ...fileConfig,
      store,
      ...handlers,
      logger,
      httpAllowlist,
      // Added before recovery: alerts of executions resumed at start reach the webhook too.
      ...(webhook ? { on: { alert: (alert) => webhook.send(alert) } } : {}),
    }).catch((error: unknown) => {
      throw cliStoreError(error, storeKey);
    });
    // A signal while the store opened: closed again (what the open resumed gets the grace),
    // nothing defined nor served.
    if (interrupt.fired) throw await stopBeforeListening(orch, interrupt, options.grace);
    hub?.attach(orch.workflowEngine);
    for (const def of definitions) {
      const before = (await orch.workflowEngine.getWorkflow(def.id))?.version;
      const stored = await orch.workflowEngine.defineWorkflow(def.id, def.steps, def.options);
      // A restart with the same files stores nothing: deploy logs tell a new version from none.
      logger.info(
        { workflow: stored.id, version: stored.version },
        stored.version === before ? 'workflow unchanged' : 'workflow defined',
      );
    }
    if (webhook) {
      logger.info({ webhook: webhookOrigin(options.alertWebhook ?? '') }, 'alert webhook enabled');
    }
    const app = await buildApp(orch, {
      token,
      logger,
      bodyLimit: options.bodyLimit,
      prometheus: { defaultMetrics: true },
      plugins: [
        createDashboard({
          ...(options.allowedOrigin ? { allowedOrigins: options.allowedOrigin } : {}),
          ...(options.secureCookie ? { secureCookie: true } : {}),
        }),
      ],
      ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
      ...(hub ? { remoteWorkers: hub } : {}),
    });
    if (interrupt.fired) {
      // A signal while it defined the --workflows or built the API: it does not listen.
      await app.close();
      throw await stopBeforeListening(orch, interrupt, options.grace);
    }
    try {
      await app.listen({ port: options.port, host: options.host });
    } catch (error) {
      await app.close();
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(
        code === 'EADDRINUSE'
          ? `port ${options.port} on ${options.host} is already in use (pick another with --port)`
          : `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`,
        { code: 'LISTEN_FAILED' },
      );
    }
    const address = app.server.address();
    const url =
      address && typeof address === 'object' ? urlOf(address) : `http://${options.host}:${options.port}`;
    logger.info({ url, store: redactUrl(store), workflows: definitions.length }, 'orchestrator listening');
    // Let what the log took so far out first (it holds lines back while a pipe is full), so that
    // the banner follows it on a terminal (or a file both streams share) instead of landing among it.
    await stderrDestination().written();
    if (out.json) {
      out.data({
        url,
        store: redactUrl(store),
        tokenSource: envToken ? 'env' : 'generated',
        ...(envToken ? {} : { token }),
      });
    } else {
      out.line(
        `Orchestrator API listening on ${url} (store ${redactUrl(store)}, ${definitions.length} workflows loaded)`,
        envToken
          ? '  API token: from ORCHESTRATOR_API_TOKEN'
          : `  API token: ${token}   (generated for this run; set ORCHESTRATOR_API_TOKEN to choose one)`,
        `  Try: curl -H "Authorization: Bearer ${envToken ? '$ORCHESTRATOR_API_TOKEN' : token}" ${url}/v1/workflows`,
        `  Dashboard: ${url}/ (sign in with the API token)`,
        `  OpenAPI: ${url}/openapi.json   Prometheus: ${url}/metrics   Ctrl-C stops`,
      );
    }

    const signal = await interrupt.signaled;
    logger.info(
      { signal, grace: options.grace },
      'shutting down: no new requests or work; running steps may finish',
    );
    // In cluster mode the executions it stops are released at once, for the other nodes to resume.
    const rest = orch.cluster
      ? 'are released to the other nodes, or resume on the next start'
      : 'resume on the next start';
    out.note(`\n${signal}: shutting down (running steps get up to ${options.grace}s; the rest ${rest})`);
    const running = orch;
    // The API stays up through the grace period, so that remote workers can report (or hear the
    // cancellation of) the steps they run, and take tasks already queued for running steps;
    // meanwhile new work, registrations and polls that find nothing queued get 503. Waiting polls
    // are answered now.
    (hub ?? remoteWorkerHubFor(running)).releasePolls();
    await running.close({ grace: options.grace });
    await app.close();
    await webhook?.flush();
    logger.info({}, 'stopped');
    return EXIT.ok;
  } finally {
    await orch?.close();
  }
}
