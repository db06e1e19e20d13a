/**
 * The failure_rate alert is judged over the executions this process saw end (README, Alerts): a
 * restart on a durable store starts the window afresh, while getMetrics() loads its counts from
 * the store. The README said "a workflow's last 100 executions", as if the stored ones counted.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/index.js';
import { runToEnd, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';

const options = (store: string) => ({
  store,
  alerts: { failureRate: 0.5, minSamples: 2, cooldown: 0 },
  actions: {
    bad: () => {
      throw new Error('down');
    },
  },
});

describe('failure_rate across a restart (sqlite store)', () => {
  it('counts only the executions this process saw end, from minSamples on', async () => {
    const store = tempSqliteUrl();
    const first = await withOrchestrator(options(store));
    await first.workflowEngine.defineWorkflow('w', [{ name: 'bad' }]);
    const before: Alert[] = [];
    first.on('alert', (a) => before.push(a));
    await runToEnd(first, 'w');
    await runToEnd(first, 'w');
    expect(before.filter((a) => a.type === 'failure_rate')).toHaveLength(1);
    await first.close();

    const second = await withOrchestrator(options(store));
    const after: Alert[] = [];
    second.on('alert', (a) => after.push(a));
    await runToEnd(second, 'w');
    expect(second.getMetrics('w').executions.failed).toBe(3);
    expect(after.filter((a) => a.type === 'failure_rate')).toEqual([]);
    await runToEnd(second, 'w');
    expect(after.filter((a) => a.type === 'failure_rate').map((a) => a.value)).toEqual([1]);
  });
});
