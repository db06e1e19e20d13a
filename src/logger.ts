/**
 * The default logger: pino JSON lines on stderr, level from `ORCHESTRATOR_LOG_LEVEL`
 * (default `warn`), with secrets redacted.
 * @module
 */
import { pino } from 'pino';
import type { Logger } from './config.js';

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

/** Creates the default logger. */
export function createDefaultLogger(
  level = process.env.ORCHESTRATOR_LOG_LEVEL ?? 'warn',
): Logger & pino.Logger {
  return pino({ level, base: { name: 'orchestrator' }, redact: REDACT_PATHS }, pino.destination(2));
}
