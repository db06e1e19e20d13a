/**
 * A config object that is not a plain object (a Map, a Date, a class instance, an object whose
 * keys are inherited) was read by its own enumerable keys only: `createOrchestrator(new
 * Map([['store', 'memory']]))` opened the default SQLite file, `alerts: new Map(...)` kept the
 * default thresholds and `actions: new Handlers()` (handlers as methods of a class) registered
 * no handler at all, all without a word. Each is now a ValidationError naming the key and what
 * it got.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type OrchestratorOptions, ValidationError } from '../../src/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

async function refusal(options: unknown): Promise<string> {
  const error = await createOrchestrator(options as OrchestratorOptions).then(
    async (orch) => {
      await orch.close();
      return new Error('accepted');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as Error).message;
}

class Handlers {
  stt() {
    return 'text';
  }
}

describe('config objects must be plain objects', () => {
  it('refuses a config that is a Map, a Date, a class instance or inherits its keys', async () => {
    expect(await refusal(new Map([['store', 'memory']]))).toBe(
      'Invalid config: Expected the config to be a plain object, got a Map',
    );
    expect(await refusal(new Date())).toBe(
      'Invalid config: Expected the config to be a plain object, got a Date',
    );
    expect(await refusal(new (class Settings {})())).toBe(
      'Invalid config: Expected the config to be a plain object, got a Settings',
    );
    expect(await refusal(Object.create({ store: 'memory' }))).toBe(
      'Invalid config: Expected the config to be a plain object, got an object with a prototype of its own',
    );
  });

  it('refuses alerts, actions, compensations and on that are not plain objects', async () => {
    expect(await refusal({ store: 'memory', alerts: new Map([['failureRate', 0.1]]) })).toBe(
      'Invalid config: alerts: Expected `alerts` to be a plain object, got a Map',
    );
    expect(await refusal({ store: 'memory', actions: new Handlers() })).toBe(
      'Invalid config: actions: Expected `actions` to be a plain object of { name: handler }, got a Handlers',
    );
    expect(await refusal({ store: 'memory', compensations: new Map([['undo', () => 1]]) })).toBe(
      'Invalid config: compensations: Expected `compensations` to be a plain object of { name: handler }, got a Map',
    );
    expect(await refusal({ store: 'memory', on: new Map([['alert', () => 1]]) })).toBe(
      'Invalid config: on: Expected `on` to be a plain object of { eventName: listener }, got a Map',
    );
  });

  it('still takes objects without a prototype (a module namespace, Object.create(null))', async () => {
    const actions = Object.assign(Object.create(null) as object, { stt: () => 'text' });
    const alerts = Object.assign(Object.create(null) as object, { failureRate: 0.2 });
    const orch = await withOrchestrator({ store: 'memory', actions, alerts });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt' }]);
    const status = await orch.workflowEngine.waitForCompletion(
      await orch.workflowEngine.executeWorkflow('w'),
    );
    expect(status.outputData).toEqual({ stt: 'text' });
  });
});
