/**
 * The default logger: pino JSON lines on stderr (each written at once, never crashing the
 * process or keeping it from ending: `stderr-destination.ts`), level from `ORCHESTRATOR_LOG_LEVEL`
 * (default `warn`), with secrets redacted.
 * @module
 */
import { pino } from 'pino';
import type { Logger } from './config.js';
import { echo } from './echo.js';
import { ValidationError } from './errors.js';
import { stderrDestination } from './stderr-destination.js';

/** Paths redacted from every log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'token',
  'apiToken',
  'password',
  'secret',
];

/** The levels pino knows, lowest first, and `silent`. */
const LEVELS = [...Object.keys(pino.levels.values), 'silent'];

/**
 * The level `ORCHESTRATOR_LOG_LEVEL` asks for (trimmed, any case), else `fallback` when it is
 * unset or empty.
 * @throws ValidationError naming the variable when it holds no pino level.
 */
export function logLevelFromEnv(fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.ORCHESTRATOR_LOG_LEVEL?.trim() ?? '';
  if (raw === '') return fallback;
  const level = raw.toLowerCase();
  if (LEVELS.includes(level)) return level;
  throw new ValidationError(
    [
      {
        path: 'ORCHESTRATOR_LOG_LEVEL',
        message: `unknown log level ${echo(raw)}; expected one of ${LEVELS.join(', ')}`,
      },
    ],
    'Invalid environment',
  );
}

/** Creates the default logger. */
export function createDefaultLogger(level = logLevelFromEnv('warn')): Logger & pino.Logger {
  return pino({ level, base: { name: 'orchestrator' }, redact: REDACT_PATHS }, stderrDestination());
}
