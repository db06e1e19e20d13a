/**
 * A store whose pool holds one connection (`poolSize: 1`, one write lane): its lane gives the
 * connection back after each batch, so reads get it between writes. Before, the lane kept it from
 * its first write on, and every read after that failed after the connect timeout (10 s) with
 * `STORE_UNAVAILABLE` 'timeout exceeded when trying to connect'.
 */
import { describe, expect, it } from 'vitest';
import { answerWithin } from '../helpers/orchestrator.js';
import { storePerTest } from './pg-fixture.js';
import { heldExecution } from './records.js';

const fixture = storePerTest({}, { poolSize: 1 });

describe('a PostgreSQL store with a pool of one connection', () => {
  it('reads between and during writes', async () => {
    const s = fixture.other;
    await s.createExecution(heldExecution('e1', 'w', 'n1', Date.now() + 60_000));
    expect(await answerWithin(s.getExecution('e1').then((snap) => snap?.execution.id))).toBe('e1');
    // Writes and reads at once: the reads wait for the batch, not for good.
    const writes = [2, 3, 4].map((n) =>
      s.createExecution(heldExecution(`e${n}`, 'w', 'n1', Date.now() + 60_000)),
    );
    const read = s.listOwned('n1', 10);
    await Promise.all(writes);
    expect(((await answerWithin(read)) as string[]).length).toBeGreaterThanOrEqual(1);
    expect(await answerWithin(s.readOwned('n1').then((r) => r.unfinished.length))).toBe(4);
    expect(await answerWithin(s.renewLeases('n1', Date.now() + 90_000).then((ids) => ids.length))).toBe(4);
    expect(await answerWithin(s.countExecutions({}))).toBe(4);
  });
});
