/**
 * The balance score on the workers page (and in `orchestrator workers`) is shown with two
 * decimals rounded down: rounded to the nearest, 1000-999-998 (a score just under 1: one
 * execution away from even) read `1.00`, the score of a placement as even as whole executions allow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scoreText } from '../../src/balancing/score-text.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

describe('balance score text', () => {
  it('reads 1.00 only for a score of 1', async () => {
    const f = await setup({ app: { plugins: [createDashboard({ nodes: () => [] })] } });
    const lb = f.orch.loadBalancer;
    for (const id of ['x', 'y']) lb.addWorker(id);
    // Every other worker idle would make it 0: give them all the same load.
    for (const id of lb.getWorkers()) lb.setExternalLoad(id, 999);
    lb.setExternalLoad('x', 1000);
    lb.setExternalLoad('y', 998);
    const workers = lb.getWorkers().length;
    // One move of the worst placement's 999 × (workers − 1).
    expect(lb.balanceScore()).toBe(1 - 1 / (999 * (workers - 1)));
    expect(lb.balanceScore()).toBeGreaterThan(0.995);
    const cookie = await signedInCookie(f);
    const res = await f.app.inject({ url: '/ui/workers', headers: { cookie } });
    expect(res.body).toMatch(
      /data-stat="score">\s*<div class="stat-label">Balance score<\/div>\s*<div class="stat-value">0\.99<\/div>/,
    );
    // The hint says what the number means, worded as the CLI's legend words it.
    expect(res.body).toContain(
      '<div class="stat-hint">1 − m / M: m executions would have to move to even the load out, M if all sat on one worker</div>',
    );
  });

  it('rounds down without losing a score stored a hair below its decimals', () => {
    expect([1, 0.998, 0.29, 0.57, 0.2, 1 / 3, 0].map(scoreText)).toEqual([
      '1.00',
      '0.99',
      '0.29',
      '0.57',
      '0.20',
      '0.33',
      '0.00',
    ]);
  });
});
