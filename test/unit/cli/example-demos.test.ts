/**
 * The demos of examples/README.md end as it says: each example workflow with the input the
 * README gives (plus `fast`) completes, retries, or fails and compensates the steps it names,
 * in the order it names them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions, compensations } from '../../../examples/handlers.js';
import { createOrchestrator, type Orchestrator } from '../../../src/index.js';

const EXAMPLES = ['voice-transcription', 'user-registration', 'data-pipeline', 'order-saga'];

let orch: Orchestrator;

beforeAll(async () => {
  process.env.EXAMPLE_QUIET = '1';
  orch = await createOrchestrator({ store: 'memory', actions, compensations, retryDelay: 0.05 });
  for (const id of EXAMPLES) {
    const file = fileURLToPath(new URL(`../../../examples/${id}.json`, import.meta.url));
    const definition = JSON.parse(readFileSync(file, 'utf8'));
    await orch.workflowEngine.defineWorkflow(definition.id, definition.steps, definition.options);
  }
});

afterAll(async () => {
  await orch?.close();
  delete process.env.EXAMPLE_QUIET;
});

async function run(workflowId: string, input: object) {
  const id = await orch.workflowEngine.executeWorkflow(workflowId, { ...input, fast: true });
  return orch.workflowEngine.waitForCompletion(id, { timeout: 20 });
}

const voice = { audioUrl: 'https://example.com/hello.wav', userId: 123 };
const ada = { email: 'ada@example.com', name: 'Ada' };
const order = { orderId: 'ord-1001', items: ['sku-1', 'sku-2'], amount: 42 };

describe('examples/README demos', () => {
  it('every example runs to completion with its plain input', async () => {
    const inputs = [voice, ada, {}, order];
    const statuses = await Promise.all(EXAMPLES.map((id, i) => run(id, inputs[i] ?? {})));
    expect(statuses.map((s) => [s.workflowId, s.status, s.error])).toEqual(
      EXAMPLES.map((id) => [id, 'completed', undefined]),
    );
  });

  it('a retry: the first speech-to-text attempt fails, the second succeeds', async () => {
    const status = await run('voice-transcription', { ...voice, failures: { transcribe_stt: 1 } });
    expect(status.status).toBe('completed');
    expect(status.steps.find((s) => s.name === 'transcribe_stt')?.attempts).toBe(2);
  });

  it.each([
    ['voice-transcription', { ...voice, fail: 'store_result' }, ['synthesize_tts']],
    ['user-registration', { ...ada, fail: 'create_session' }, ['create_user']],
    ['data-pipeline', { fail: 'publish_report' }, ['load_data']],
    [
      'order-saga',
      { ...order, fail: 'send_confirmation' },
      ['ship_order', 'charge_payment', 'reserve_inventory'],
    ],
    ['order-saga', { ...order, fail: 'ship_order' }, ['charge_payment', 'reserve_inventory']],
  ])('%s with %j fails and compensates %j in that order', async (workflowId, input, compensated) => {
    const status = await run(workflowId, input);
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('SIMULATED_FAILURE');
    expect(status.compensatedSteps).toEqual(compensated);
  });

  it('a compensation named in `fail` fails for good; the others still run, newest first', async () => {
    const alerts: string[] = [];
    const listener = (alert: { type: string }) => alerts.push(alert.type);
    orch.on('alert', listener);
    try {
      const status = await run('order-saga', { ...order, fail: ['send_confirmation', 'refund_payment'] });
      expect(status.status).toBe('failed');
      expect(status.compensatedSteps).toEqual(['ship_order', 'reserve_inventory']);
      const charge = status.steps.find((s) => s.name === 'charge_payment');
      expect(charge?.compensation).toMatchObject({ status: 'failed', error: { code: 'SIMULATED_FAILURE' } });
      expect(alerts).toContain('compensation_failure');
    } finally {
      orch.off('alert', listener);
    }
  });

  it('a timeout: 500× latency makes validate_input outlast its 2 s timeout', async () => {
    const id = await orch.workflowEngine.executeWorkflow('user-registration', { ...ada, latency: 500 });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 20 });
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'validate_input' });
  });

  it('the pipeline quarantines invalid rows through the condition', async () => {
    const status = await run('data-pipeline', { invalidRows: 3 });
    expect(status.status).toBe('completed');
    expect(status.outputData.quarantine_invalid).toMatchObject({ quarantined: 3 });
    expect(status.outputData.load_data).toMatchObject({ rowsLoaded: 9997 });
  });

  it('an order without items fails at once, compensating nothing', async () => {
    const status = await run('order-saga', { ...order, items: [] });
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'INVALID_ORDER', step: 'reserve_inventory' });
    expect(status.compensatedSteps).toEqual([]);
  });
});
