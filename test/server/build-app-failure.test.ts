/**
 * `buildApp` that fails part-way (a plugin that throws as it registers) leaves nothing attached
 * to the orchestrator: before, the Prometheus exporter's (and a dashboard's) listeners stayed on
 * it, holding the unreturned app's registry, one set more per failed attempt.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventName } from '../../src/index.js';
import { buildApp } from '../../src/server/app.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';
import { TOKEN } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('buildApp that fails', () => {
  it('removes every listener it added to the orchestrator', async () => {
    const orch = await withOrchestrator();
    const attached = new Map<EventName, number>();
    const count = (event: EventName, by: number) => attached.set(event, (attached.get(event) ?? 0) + by);
    const on = orch.on.bind(orch);
    const off = orch.off.bind(orch);
    vi.spyOn(orch, 'on').mockImplementation((event, listener) => {
      count(event, 1);
      return on(event, listener);
    });
    vi.spyOn(orch, 'off').mockImplementation((event, listener) => {
      count(event, -1);
      return off(event, listener);
    });
    const broken = async () => {
      throw new Error('plugin failed to register');
    };
    await expect(buildApp(orch, { token: TOKEN, plugins: [createDashboard(), broken] })).rejects.toThrow(
      'plugin failed to register',
    );
    expect(attached.size).toBeGreaterThan(0);
    expect([...attached].filter(([, n]) => n !== 0)).toEqual([]);
  });
});
