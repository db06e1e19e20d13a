import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/config.js';
import { validateDefinition } from '../../src/definition/validate.js';
import { createOrchestrator } from '../../src/orchestrator.js';
import { RemoteWorkerHub } from '../../src/remote/hub.js';
import { createRemoteWorker } from '../../src/remote/worker-client.js';
import { parseListQuery } from '../../src/server/dashboard/pages/executions.js';

/** zod's own texts, which no validation message should show. */
const ZOD_TEXT = /Invalid input|Invalid option|Too small|Too big|received/;

function configMessage(options: Record<string, unknown>): string {
  try {
    compileConfig(options as never);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

function definitionMessage(id: unknown, steps: unknown, options?: unknown): string {
  try {
    validateDefinition(id, steps, options);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('validation messages say what a key takes and what it got', () => {
  it('config list entries', () => {
    expect(configMessage({ workers: [5] })).toBe(
      'Invalid config: workers[0]: Expected `workers[0]` to be a non-empty string, got 5',
    );
    expect(configMessage({ httpAllowlist: [1] })).toBe(
      'Invalid config: httpAllowlist[0]: Expected `httpAllowlist[0]` to be a string, got 1',
    );
    expect(configMessage({ httpAllowlist: 'x'.repeat(100) })).toBe(
      `Invalid config: httpAllowlist: Expected \`httpAllowlist\` to be an array, got "${'x'.repeat(64)}…" (100 characters)`,
    );
    expect(configMessage({ nodeId: 5 })).toBe(
      'Invalid config: nodeId: Expected `nodeId` to be a non-empty string of at most 512 characters, got 5',
    );
  });

  it('config keys of the wrong type name the value they got', () => {
    expect(configMessage({ workflowTimeout: 'x', retryAttempts: '3', cluster: 'yes' })).toBe(
      'Invalid config: workflowTimeout: Expected `workflowTimeout` to be a positive number, got "x"; ' +
        'retryAttempts: Expected `retryAttempts` to be a non-negative integer, got "3"; ' +
        'cluster: Expected `cluster` to be a boolean, got "yes"',
    );
    expect(configMessage({ workers: 'w1' })).toBe(
      'Invalid config: workers: Expected `workers` to be an array of worker ids, got "w1"',
    );
    expect(configMessage({ workers: ['a', 'b', 'a'] })).toBe(
      'Invalid config: workers: Expected `workers` to have no duplicate ids, got "a" twice',
    );
    expect(configMessage({ logger: 5 })).toBe(
      'Invalid config: logger: Expected `logger` to be a logger with info/warn/error/debug, got 5',
    );
    expect(configMessage({ leaseSeconds: 2, sweepInterval: 1 })).toBe(
      'Invalid config: leaseSeconds: Expected `leaseSeconds` to be at least 3 × `sweepInterval` (3), got 2',
    );
    expect(configMessage(5 as never)).toBe('Invalid config: Expected the config to be an object, got 5');
  });

  // createOrchestrator's own check said what it expected only, unlike compileConfig's above.
  it('createOrchestrator names a config that is no object', async () => {
    for (const [config, got] of [
      [5, '5'],
      [null, 'null'],
      [[], 'an array'],
    ] as const) {
      await expect(createOrchestrator(config as never)).rejects.toThrow(
        `Invalid config: Expected the config to be an object, got ${got}`,
      );
    }
  });

  // They said what they expected only: 'Expected `actions` to be an object of { name: handler }'.
  it('handler, listener, logger and remote worker options name the value they got', async () => {
    const refused = (options: Record<string, unknown>) =>
      createOrchestrator({ store: 'memory', ...options } as never).then(
        async (orch) => {
          await orch.close();
          return 'accepted';
        },
        (error: unknown) => (error as Error).message,
      );
    expect(await refused({ actions: 'a' })).toBe(
      'Invalid config: actions: Expected `actions` to be an object of { name: handler }, got "a"',
    );
    expect(await refused({ compensations: [] })).toBe(
      'Invalid config: compensations: Expected `compensations` to be an object of { name: handler }, got an array',
    );
    expect(await refused({ on: 5 })).toBe(
      'Invalid config: on: Expected `on` to be an object of { eventName: listener }, got 5',
    );
    expect(await refused({ on: { alert: 'log' } })).toBe(
      `Invalid config: on.alert: Expected the listener of 'alert' to be a function, got "log"`,
    );
    const orch = await createOrchestrator({ store: 'memory' });
    try {
      expect(() => orch.on('alert', 5 as never)).toThrow(
        `Invalid on arguments: listener: Expected the listener of 'alert' to be a function, got 5`,
      );
    } finally {
      await orch.close();
    }
    const worker = (options: Record<string, unknown>) => {
      try {
        createRemoteWorker({
          url: 'http://127.0.0.1:9',
          token: 'a-token',
          actions: { a: () => 1 },
          ...options,
        } as never);
      } catch (error) {
        return (error as Error).message.replace(/^Invalid createRemoteWorker options: /, '');
      }
      return 'accepted';
    };
    expect(worker({ url: undefined, urls: 'http://h' })).toBe(
      // Its kind only: a URL may carry credentials.
      'urls: `urls` must be an array of URLs, got a string',
    );
    expect(worker({ actions: 5 })).toBe(
      'actions: `actions` must be an object of handlers by action name, got 5',
    );
    expect(worker({ actions: { a: 'run' } })).toBe('actions.a: action \'a\' must be a function, got "run"');
    expect(worker({ name: 5 })).toBe(
      'name: `name` must be a non-empty string of at most 128 characters, got 5',
    );
    expect(worker({ logger: 'console' })).toBe(
      'logger: Expected `logger` to be a logger with info/warn/error/debug, got "console"',
    );
    expect(worker({ concurrency: 0 })).toBe(
      'concurrency: `concurrency` must be an integer from 1 to 256, got 0',
    );
    expect(() => new RemoteWorkerHub({ logger: 'console' as never })).toThrow(
      'Invalid RemoteWorkerHub options: logger: Expected `logger` to be a logger with info/warn/error/debug, got "console"',
    );
  });

  // They said what was expected only ('workflowId: expected a non-empty string').
  it('executeWorkflow and waitForCompletion name the argument they got', async () => {
    const orch = await createOrchestrator({ store: 'memory', actions: { a: () => 1 } });
    try {
      const engine = orch.workflowEngine;
      await engine.defineWorkflow('w', [{ name: 'a' }]);
      await expect(engine.executeWorkflow(5 as never)).rejects.toThrow(
        /^Invalid execution request: workflowId: expected a non-empty string, got 5$/,
      );
      await expect(engine.executeWorkflow('w', {}, { idempotencyKey: 'k'.repeat(300) })).rejects.toThrow(
        /^Invalid execution request: idempotencyKey: expected a string of 1 to 256 characters, got "k{64}…" \(300 characters\)$/,
      );
      await expect(engine.executeWorkflow('w', {}, { idempotencyKey: 7 as never })).rejects.toThrow(
        /idempotencyKey: expected a string of 1 to 256 characters, got 7$/,
      );
      const id = await engine.executeWorkflow('w');
      await expect(engine.waitForCompletion(id, { timeout: '5' as never })).rejects.toThrow(
        /^Invalid waitForCompletion options: timeout: expected a non-negative number of seconds, got "5"$/,
      );
    } finally {
      await orch.close();
    }
  });

  it("the dashboard's execution filter refuses an overlong workflow id as GET /v1/executions does", () => {
    expect(() => parseListQuery({ workflowId: 'w'.repeat(200) })).toThrow(
      /^Invalid execution filter: workflowId: expected a workflow id \(1 to 128 of ASCII letters, digits, '_', '\.' and '-'; not '\.', '\.\.' or '__proto__'\), got "w+/,
    );
  });

  it("the execution filter names a refused character as a definition's name check does", () => {
    expect(() => parseListQuery({ workflowId: 'café' })).toThrow(
      /^Invalid execution filter: workflowId: expected a workflow id \(1 to 128 of ASCII letters, .*\), got "café" \('é', U\+00E9, at index 3\)$/,
    );
  });

  it('definition keys of the wrong type', () => {
    expect(definitionMessage(5, [{ name: 'a', action: 'x' }])).toBe(
      'Invalid workflow definition: id: must be a non-empty string of at most 128 characters, got 5',
    );
    expect(definitionMessage('w', [{ name: 5, action: 'x', timeout: 'x' }])).toBe(
      'Invalid workflow definition \'w\': steps[0].name: must be a non-empty string of at most 128 characters, got 5; steps[0].timeout: must be a positive number of at most 1000000000, got "x"',
    );
    // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
    expect(definitionMessage('w', [{ name: 'a', condition: 5, then: 'a' }])).toBe(
      'Invalid workflow definition \'w\': steps[0].condition: must be a CEL expression in a string, got 5: write it as the string "5"',
    );
    // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
    expect(definitionMessage('w', [{ name: 'a', condition: 'true', then: 5 }])).toBe(
      "Invalid workflow definition 'w': steps[0].then: must be a non-empty string of at most 128 characters, got 5",
    );
  });

  it('a missing required key says it is required and what it takes, not "got undefined"', () => {
    expect(definitionMessage('w', [{ action: 'x' }])).toBe(
      "Invalid workflow definition 'w': steps[0].name: is required (a non-empty string of at most 128 characters)",
    );
    expect(definitionMessage(undefined, [{ name: 'a', action: 'x' }])).toBe(
      'Invalid workflow definition: id: is required (a non-empty string of at most 128 characters)',
    );
    expect(definitionMessage('w', undefined)).toBe(
      "Invalid workflow definition 'w': steps: is required (an array of steps)",
    );
  });

  it('none of a probe set of wrong types and values gets zod’s own text', () => {
    const configs: Record<string, unknown>[] = [
      { workers: [5] },
      { workers: 'w' },
      { workers: [] },
      { httpAllowlist: [1] },
      { httpAllowlist: 'x' },
      { maxConcurrentWorkflows: 'x' },
      { workflowTimeout: 'x' },
      { retryAttempts: -1.5 },
      { enableCompensation: 1 },
      { enableWorkflowPersistence: 'yes' },
      { store: 5 },
      { slowThreshold: 'x' },
      { retention: 'x' },
      { nodeId: 5 },
      { logger: 5 },
      { clock: 5 },
      { cluster: 'x' },
      { alerts: { cooldown: 'x', failureRate: 2, minSamples: 0.5 } },
      { sweepInterval: 'x' },
      { leaseSeconds: -1 },
      { maxStepInterruptions: 1.5 },
    ];
    const definitions: [unknown, unknown, unknown?][] = [
      [5, [{ name: 'a', action: 'x' }]],
      ['w', [{ name: 5, action: 5, timeout: 'x', input: 5, compensation: 5 }]],
      // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
      ['w', [{ name: 'a', condition: 5, then: 5, else: 5 }]],
      [
        'w',
        [{ name: 'a', action: 'x', retry: { maxAttempts: 'x', initialDelay: 'x', backoffCoefficient: 0 } }],
      ],
      ['w', [{ name: 'a', parallel: 5 }]],
      ['w', [{ name: 'a', parallel: [{ name: 5, action: 'x' }] }]],
      ['w', [{ name: 'a', action: 'x' }], { timeout: 'x' }],
      ['w', [{ name: 'a', action: 'x' }], 5],
    ];
    const messages = [
      ...configs.map(configMessage),
      ...definitions.map(([id, steps, options]) => definitionMessage(id, steps, options)),
    ];
    expect(messages).not.toContain('accepted');
    expect(messages.filter((m) => ZOD_TEXT.test(m))).toEqual([]);
  });
});
