/**
 * The default loggers take their level from `ORCHESTRATOR_LOG_LEVEL`; a value pino does not know
 * is bad input and must be reported as such, naming the variable, not as pino's internal error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { createDefaultLogger } from '../../src/logger.js';
import { createOrchestrator } from '../../src/orchestrator.js';
import { createServerLogger } from '../../src/server/logger.js';

const saved = process.env.ORCHESTRATOR_LOG_LEVEL;
afterEach(() => {
  if (saved === undefined) delete process.env.ORCHESTRATOR_LOG_LEVEL;
  else process.env.ORCHESTRATOR_LOG_LEVEL = saved;
});

function problem(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  return null;
}

describe('ORCHESTRATOR_LOG_LEVEL', () => {
  it('rejects an unknown level with a ValidationError naming the variable and the levels', async () => {
    process.env.ORCHESTRATOR_LOG_LEVEL = 'verbose';
    for (const error of [problem(() => createDefaultLogger()), problem(() => createServerLogger())]) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toBe('ORCHESTRATOR_LOG_LEVEL');
      expect((error as Error).message).toMatch(/'verbose'.*debug.*silent/);
    }
    await expect(createOrchestrator({ store: 'memory' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('accepts every pino level, in any case and with spaces around it', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', ' Info ']) {
      process.env.ORCHESTRATOR_LOG_LEVEL = level;
      expect(createDefaultLogger().level).toBe(level.trim().toLowerCase());
      expect(createServerLogger().level).toBe(level.trim().toLowerCase());
    }
  });

  it('keeps the defaults when the variable is unset or empty', () => {
    delete process.env.ORCHESTRATOR_LOG_LEVEL;
    expect(createDefaultLogger().level).toBe('warn');
    expect(createServerLogger().level).toBe('info');
    process.env.ORCHESTRATOR_LOG_LEVEL = '';
    expect(createDefaultLogger().level).toBe('warn');
    expect(createServerLogger().level).toBe('info');
  });
});
