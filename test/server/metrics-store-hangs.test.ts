/**
 * `GET /metrics` re-reads the stored definitions (so workflows defined on other nodes are
 * labelled). A store that does not answer (a network partition: PostgreSQL's connect timeout is
 * 10 s, its query timeout 30 s) held every scrape for that long — past Prometheus' default
 * scrape timeout of 10 s, so the counters went missing during the outage they are there to show.
 * A scrape now waits at most a second (on the orchestrator's clock) for that read, then answers
 * with the workflows the node knows; the read goes on in the background.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { answerWithin, tempSqliteUrl } from '../helpers/orchestrator.js';
import { closeAll, define, setup } from './helpers.js';

afterEach(closeAll);

describe('GET /metrics while the store does not answer', () => {
  it('answers within a second with the workflows this node knows', async () => {
    const clock = new FakeClock();
    const store = openStore(tempSqliteUrl());
    const f = await setup({ orchestrator: { store, clock, sweepInterval: 1 } });
    await define(f, 'known', [{ name: 'greet' }]);
    const hung = { calls: 0 };
    store.listDefinitions = () => {
      hung.calls++;
      return new Promise(() => undefined);
    };
    await clock.advance(2_000); // the definitions are due for a re-read

    const scrape = f.app.inject({ url: '/metrics' });
    expect(await answerWithin(scrape, 200)).toMatch(/no answer/);
    expect(hung.calls).toBe(1);
    await clock.advance(1_000);
    const res = await answerWithin(scrape, 2_000);
    expect(typeof res).not.toBe('string');
    expect((res as Awaited<typeof scrape>).statusCode).toBe(200);
    expect((res as Awaited<typeof scrape>).body).toContain(
      'orchestrator_executions_by_status{workflow="known"',
    );
    // The next scrape joins the read under way rather than starting another.
    const again = f.app.inject({ url: '/metrics' });
    await clock.advance(1_000);
    expect(((await answerWithin(again, 2_000)) as Awaited<typeof scrape>).statusCode).toBe(200);
    expect(hung.calls).toBe(1);
  });
});
