/**
 * Worker and node ids are config of any length (a node id up to 512 characters): `list` and
 * `workers` cut them to a column width, measured in terminal columns, ending with `…`, as other
 * long values are cut, instead of widening their tables without bound; `--json` keeps them whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutToWidth, displayWidth } from '../../src/cli/display-width.js';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { gate, silentLogger, untilAborted } from '../helpers/orchestrator.js';
import { cli, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();

// Two columns per ideograph: a cut by characters would leave it twice as wide.
const WORKER = `worker-${'工'.repeat(60)}-end`;
const NODE = `node-${'n'.repeat(300)}-end`;
let id = '';
let orch: Orchestrator | undefined;

// The orchestrator stays open while the CLI reads: its node is registered, its execution runs.
beforeAll(async () => {
  const held = gate();
  orch = await createOrchestrator({
    store: store.url,
    logger: silentLogger,
    workers: [WORKER],
    nodeId: NODE,
    actions: {
      hold: (_input, ctx) => {
        held.open();
        return untilAborted(ctx.signal);
      },
    },
  });
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'hold' }]);
  id = await orch.workflowEngine.executeWorkflow('w');
  await held.promise;
});

afterAll(async () => {
  await orch?.close();
  store.remove();
});

/** An id as a table shows it: its start, `…`, 40 columns in all. */
const cut = (text: string) => `${cutToWidth(text, 39)}…`;

describe('long worker and node ids in tables', () => {
  it('`list` cuts the worker id to 40 columns', async () => {
    const r = await cli(['list', '--store', store.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(cut(WORKER));
    expect(displayWidth(cut(WORKER))).toBe(40);
    expect(r.stdout).not.toContain('-end');
  });

  it('`workers` cuts node and worker ids to 40 columns', async () => {
    const r = await cli(['workers', '--store', store.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(cut(NODE));
    expect(r.stdout).toContain(cut(WORKER));
    expect(r.stdout).not.toContain('-end');
  });

  it('`--json` keeps them whole', async () => {
    const status = JSON.parse((await cli(['--json', 'status', id, '--store', store.url])).stdout);
    expect(status.workerId).toBe(WORKER);
    const workers = JSON.parse((await cli(['--json', 'workers', '--store', store.url])).stdout);
    expect(workers.nodes.map((n: { id: string }) => n.id)).toContain(NODE);
  });
});
