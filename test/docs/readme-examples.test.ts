/**
 * Runs the README's library samples as written (the quick start, the components, paging) on the
 * memory store and checks they do what the text around them says. docs-samples.test.ts
 * type-checks every sample; this one runs them. Each sample is written to a temporary module
 * with `orchestrator` pointed at `src/index.ts` and the services it leaves to the reader given
 * as globals.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createOrchestrator,
  ErrorRecovery,
  LoadBalancer,
  type Orchestrator,
  PerformanceOptimizer,
} from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SAMPLES = [...README.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '');
const INDEX = pathToFileURL(join(ROOT, 'src/index.ts')).href;

/** The README's `ts` sample that contains `marker`. */
function sample(marker: string): string {
  const found = SAMPLES.filter((code) => code.includes(marker));
  expect(found, `one README ts sample with ${marker}`).toHaveLength(1);
  return found[0] ?? '';
}

let dir: string;
let count = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'readme-examples-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const globals = globalThis as Record<string, unknown>;
const given: string[] = [];
function give(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    globals[name] = value;
    given.push(name);
  }
}
afterEach(() => {
  for (const name of given.splice(0)) delete globals[name];
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Runs a sample as a module of its own; resolves once its top-level awaits did. */
async function run(code: string): Promise<void> {
  const file = join(dir, `sample-${++count}.ts`);
  writeFileSync(file, `${code.replaceAll("from 'orchestrator'", `from '${INDEX}'`)}\nexport {};\n`);
  await import(pathToFileURL(file).href);
}

/** What console.log printed while `fn` ran, one array of arguments per call. */
async function logged(fn: () => Promise<void>): Promise<unknown[][]> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await fn();
  return log.mock.calls;
}

describe("README's library samples, run", () => {
  it('the quick start runs the order saga to completion on the memory store', async () => {
    const undone: string[] = [];
    give({
      reserve: async (items: string[], { key }: { key: string }) => ({ reservationId: `rsv:${items}`, key }),
      charge: async (amount: number, { key }: { key: string }) => ({ chargeId: `ch:${amount}`, key }),
      ship: async (_input: unknown, { key }: { key: string }) => ({ trackingId: 'trk', key }),
      release: async () => void undone.push('release'),
      refund: async () => void undone.push('refund'),
    });
    vi.stubEnv('ORCHESTRATOR_STORE', 'memory');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const lines = await logged(() => run(sample("defineWorkflow('order'")));

    // console.log(status.status, status.outputData, status.compensatedSteps)
    const [state, outputs, compensated] = lines[0] ?? [];
    expect(state).toBe('completed');
    expect(Object.keys(outputs as object)).toEqual(['reserve_inventory', 'charge_payment', 'ship_order']);
    expect(outputs).toMatchObject({
      charge_payment: { chargeId: 'ch:42', key: expect.stringMatching(/^exec_\w+:charge_payment$/) },
    });
    expect(compensated).toEqual([]);
    expect(undone).toEqual([]);
    // getMetrics(), then getMetrics('order'): one completed execution, nothing retried
    for (const [metrics] of lines.slice(1, 3)) {
      expect(metrics).toMatchObject({
        executions: {
          total: 1,
          running: 0,
          pending: 0,
          compensating: 0,
          completed: 1,
          failed: 0,
          cancelled: 0,
        },
        successRate: 1,
        retryRate: 0,
        stepsRun: 3,
        compensationRate: 0,
      });
    }
    expect(lines).toHaveLength(3);
    expect(warn).not.toHaveBeenCalled();
  });

  it('the components sample gives the results its comments show', async () => {
    give({
      database: { delete: async () => {} },
      api: { cancelRequest: async () => {} },
      recordId: 'rec_1',
      requestId: 'req_1',
    });
    const code = sample('new ErrorRecovery()');
    // retryStep waits 1 s, 2 s, 4 s: record the waits instead of sleeping them
    const waits: number[] = [];
    give({ recordWait: async (ms: number) => void waits.push(ms) });
    const compensate = vi.spyOn(ErrorRecovery.prototype, 'compensate');
    const retryStep = vi.spyOn(ErrorRecovery.prototype, 'retryStep');
    const assign = vi.spyOn(LoadBalancer.prototype, 'assignWorkflow');
    const bottleneck = vi.spyOn(PerformanceOptimizer.prototype, 'identifyBottleneck');
    await run(code.replace('new ErrorRecovery()', 'new ErrorRecovery({ sleep: recordWait })'));

    expect(await compensate.mock.results[0]?.value).toEqual({
      compensated: ['api_call', 'database_write'],
      skipped: [],
      failed: [],
    });
    expect(await retryStep.mock.results[0]?.value).toBe(true);
    expect(waits).toEqual([1000]); // the first of 1 s, 2 s, 4 s
    expect(assign.mock.results[0]?.value).toBe('worker_1');
    expect(bottleneck.mock.results[0]?.value).toBe('llm_call');
  });

  it("retryStep's comment holds: waits 1 s, 2 s, 4 s; then false", async () => {
    const waits: number[] = [];
    const recovery = new ErrorRecovery({ sleep: async (ms) => void waits.push(ms) });
    const answers: boolean[] = [];
    for (let i = 0; i < 4; i++) answers.push(await recovery.retryStep('api_call', { maxAttempts: 3 }));
    expect(answers).toEqual([true, true, true, false]);
    expect(waits).toEqual([1000, 2000, 4000]);
  });

  it('the paging sample meets every execution once', async () => {
    const orch: Orchestrator = await createOrchestrator({ store: 'memory' });
    try {
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'noop' }]);
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) ids.add(await orch.workflowEngine.executeWorkflow('w'));
      give({ orch });
      const lines = await logged(() => run(sample('let before')));
      expect(new Set(lines.map(([id]) => id))).toEqual(ids);
      expect(lines).toHaveLength(3);
    } finally {
      await orch.close();
    }
  });
});
