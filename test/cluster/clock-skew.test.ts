/**
 * Nodes whose clocks differ by more than a lease (docs/scaling.md, *Clock skew*): the one ahead
 * sees the other's leases as run out and takes executions over from under it. That costs step
 * runs, never correctness: every execution completes, each step's output built on the one its
 * execution recorded before it.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { type Clock, createOrchestrator, type Orchestrator, PostgresStore } from '../../src/index.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

const ahead = (ms: number): Clock => ({ ...systemClock, now: () => Date.now() + ms });

describe('cluster nodes with skewed clocks', () => {
  for (const skew of [5_000, -5_000]) {
    it(`finish every execution consistently with one clock ${skew} ms off (leases of 2 s)`, async () => {
      const schema = t.schema();
      const node = async (label: string, clock: Clock): Promise<Orchestrator> => {
        const orch = await createOrchestrator({
          store: new PostgresStore(PG_URL, { schema }),
          logger: silentLogger,
          leaseSeconds: 2,
          sweepInterval: 0.2,
          clock,
          actions: {
            step: async (input: unknown) => {
              await new Promise((resolve) => setTimeout(resolve, 150));
              return `${String(input)}>${label}`;
            },
          },
        });
        t.later(() => orch.close());
        return orch;
      };
      const a = await node('a', systemClock);
      const b = await node('b', ahead(skew));
      await a.workflowEngine.defineWorkflow('chain', [
        { name: 's1', action: 'step', input: "'x'" },
        { name: 's2', action: 'step', input: 'steps.s1.output' },
        { name: 's3', action: 'step', input: 'steps.s2.output' },
      ]);
      const ids = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).workflowEngine.executeWorkflow('chain', {})),
      );
      for (const id of ids) {
        const status = await a.workflowEngine.waitForCompletion(id, { timeout: 30 });
        expect(status.status).toBe('completed');
        const { s1, s2, s3 } = status.outputData as Record<string, string>;
        expect(s1).toMatch(/^x>[ab]$/);
        expect(s2).toMatch(new RegExp(`^${s1}>[ab]$`));
        expect(s3).toMatch(new RegExp(`^${s2}>[ab]$`));
      }
    }, 60_000);
  }
});
