/**
 * A node on a host whose clock is 20 s off, in a real process, beside a node with a right clock
 * (leases of 2 s, a workflow timeout of 10 s). Nodes keep the database's time (`clock-alignment.ts`),
 * so neither sees the other's leases or heartbeats as run out: no execution changes node, no step
 * runs twice, and a deadline set by the skewed node means the same on the other. Before, the node
 * ahead took every execution of the other over (each step it had started ran twice), and executions
 * accepted by the node behind and placed on the other timed out at once. A clock stepped while the
 * node runs is measured again at its next round, before it compares leases.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';
import { chain, stepRunner } from './skewed-node-chain.js';

const t = perTest();

/** Starts the skewed node; resolves with the ids of the executions it submitted. */
async function skewedNode(
  schema: string,
  skewMs: number,
  count: number,
  ledger: string,
  stepAfterMs?: number,
): Promise<string[]> {
  const script = join(import.meta.dirname, 'skewed-node-child.ts');
  const step = stepAfterMs === undefined ? [] : [String(stepAfterMs)];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, schema, String(skewMs), String(count), ledger, ...step],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  t.later(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) return JSON.parse(line) as string[];
  throw new Error('the skewed node exited before it submitted');
}

describe('a node whose host clock is 20 s off', () => {
  for (const [skew, stepAfter] of [
    [20_000, undefined],
    [-20_000, undefined],
    [20_000, 300],
    [-20_000, 300],
  ] as const) {
    const how = `${skew > 0 ? 'ahead' : 'behind'}${stepAfter === undefined ? '' : ', stepped while it runs'}`;
    it(`(${how}) takes nothing over and times nothing out early`, async () => {
      const schema = t.schema();
      const ledger = join(tmpdir(), `skew-ledger-${process.pid}-${Date.now()}.txt`);
      writeFileSync(ledger, '');
      const a = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        logger: silentLogger,
        leaseSeconds: 2,
        sweepInterval: 0.2,
        actions: { step: stepRunner((line) => appendFileSync(ledger, line)) },
      });
      t.later(() => a.close());
      await a.workflowEngine.defineWorkflow('chain', chain, { timeout: 10 });
      const fromA: string[] = [];
      for (let i = 0; i < 8; i++) fromA.push(await a.workflowEngine.executeWorkflow('chain'));
      const fromB = await skewedNode(schema, skew, 8, ledger, stepAfter);
      for (let i = 0; i < 8; i++) fromA.push(await a.workflowEngine.executeWorkflow('chain'));
      const ids = [...fromA, ...fromB];
      const statuses = await Promise.all(
        ids.map((id) => a.workflowEngine.waitForCompletion(id, { timeout: 30 })),
      );
      expect(statuses.map((s) => [s.status, s.error?.code])).toEqual(ids.map(() => ['completed', undefined]));
      // Each step ran once, on the node that held its execution from the start.
      const runs = readFileSync(ledger, 'utf8').trim().split('\n');
      expect(runs.length).toBe(ids.length * 3);
      expect(new Set(runs).size).toBe(runs.length);
      const epochs = await Promise.all(
        ids.map(async (id) => (await a.store.getExecution(id))?.execution.epoch),
      );
      expect(epochs).toEqual(ids.map(() => 1));
    }, 60_000);
  }
});
