/**
 * The overview's active alerts (README: the overview shows active alerts; SPEC §5 alerts): an
 * alert raised within the last `alertWindowMinutes` is listed with its kind, message and links to
 * its workflow and execution; once the window has passed it is gone, and the panel says so,
 * naming the window as the charts do (it said '1 minutes', and rounded 1.5 to '2 minutes').
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, setup, start, TOKEN } from './helpers.js';

afterEach(closeAll);

describe('overview alerts', () => {
  /** A dashboard whose overview (signed in) reads the clock `clock.now`, with one failure_rate alert raised. */
  async function withAlert(alertWindowMinutes: number) {
    const clock = { now: Date.now() };
    const f = await setup({
      app: { plugins: [createDashboard({ alertWindowMinutes, now: () => clock.now })] },
      orchestrator: { alerts: { failureRate: 0.1, minSamples: 1 } },
    });
    await define(f, 'broken', [{ name: 'fail' }]);
    const id = await start(f, 'broken');
    await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    const [alert] = f.orch.getAlerts();
    expect(alert?.type).toBe('failure_rate');
    const login = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' },
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const overview = async () => {
      const page = await f.app.inject({ url: '/', headers: { cookie } });
      expect(page.statusCode).toBe(200);
      return page.body;
    };
    return { alert: alert!, clock, overview };
  }

  it('lists an alert within the window, and none once the window has passed', async () => {
    const { alert, clock, overview } = await withAlert(1.5);
    clock.now = alert.at.getTime() + 1000;

    const within = await overview();
    expect(within).toContain('<span class="alert-type">failure rate</span>');
    expect(within).toContain('Failure rate of &#39;broken&#39; is 100%');
    expect(within).toContain('href="/workflows/broken"');
    expect(within).not.toContain('No alerts in the last');

    clock.now = alert.at.getTime() + 91_000;
    const after = await overview();
    expect(after).not.toContain('class="alert-type"');
    // The window as the charts write theirs; it read 'the last 2 minutes' (and '1 minutes' for 1).
    expect(after).toContain('No alerts in the last 1 min 30 s.');
  });

  it('says alerts are not shown with alertWindowMinutes 0, rather than none in the last 0 s', async () => {
    const { alert, clock, overview } = await withAlert(0);
    clock.now = alert.at.getTime();
    const page = await overview();
    expect(page).not.toContain('class="alert-type"');
    expect(page).not.toContain('No alerts in the last');
    expect(page).toContain('Alerts are not shown here (alertWindowMinutes: 0).');
  });
});
