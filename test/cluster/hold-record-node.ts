/**
 * The node of the cluster tests in which one node loses its execution to another (partitioned,
 * writes refused): workflow `w` runs `hold`, then `rec`. Each call appends `<action>@<label>` to
 * `calls`.
 * @module
 */
import { createOrchestrator, type Orchestrator, type PostgresStore } from '../../src/index.js';
import { silentLogger } from '../helpers/orchestrator.js';
import type { PerTest } from './per-test.js';

/** The steps of workflow `w`: `h` runs `hold`, `r` runs `rec`. */
export const HOLD_THEN_RECORD = [
  { name: 'h', action: 'hold' },
  { name: 'r', action: 'rec' },
];

/**
 * A node on `store` (2 s leases, rounds every 0.2 s), closed when the test ends: its `hold` returns
 * what `hold()` gives, its `rec` 'recorded'.
 */
export async function holdRecordNode(
  t: PerTest,
  calls: string[],
  label: string,
  store: PostgresStore,
  hold: () => unknown,
): Promise<Orchestrator> {
  const orch = await createOrchestrator({
    store,
    logger: silentLogger,
    leaseSeconds: 2,
    sweepInterval: 0.2,
    actions: {
      hold: () => {
        calls.push(`hold@${label}`);
        return hold();
      },
      rec: () => {
        calls.push(`rec@${label}`);
        return 'recorded';
      },
    },
  });
  t.later(() => orch.close());
  return orch;
}
