/**
 * The service logger: pino JSON lines shared by the orchestrator and the HTTP app, with
 * credentials redacted. Request bodies are never logged (the request serializer logs method, URL
 * and addresses only, the URL's secret-looking query values masked: `logged-request.ts`).
 * @module
 */
import { type DestinationStream, pino } from 'pino';
import { logLevelFromEnv, REDACT_PATHS } from '../logger.js';
import { stderrDestination } from '../stderr-destination.js';
import { loggedRequest } from './logged-request.js';

/** Paths redacted from every line, on top of the library's defaults. */
export const SERVER_REDACT_PATHS = [
  ...REDACT_PATHS,
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'headers.cookie',
  'res.headers["set-cookie"]',
];

/** Options of {@link createServerLogger}. */
export interface ServerLoggerOptions {
  /** pino level. @default env ORCHESTRATOR_LOG_LEVEL, else 'info' */
  level?: string;
  /** Where lines go. @default stderr */
  destination?: DestinationStream;
}

/** Creates the service logger. */
export function createServerLogger(options: ServerLoggerOptions = {}): pino.Logger {
  return pino(
    {
      level: options.level ?? logLevelFromEnv('info'),
      base: { name: 'orchestrator' },
      redact: SERVER_REDACT_PATHS,
      serializers: { req: loggedRequest },
    },
    options.destination ?? stderrDestination(),
  );
}
