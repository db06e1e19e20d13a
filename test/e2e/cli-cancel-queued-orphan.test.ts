/**
 * `orchestrator cancel` of an execution a killed process left queued (`pending`: it never
 * started, no step ran): the README says such an execution is cancelled without `--handlers`, as
 * there is nothing to compensate, and the engine takes a cancel-requested queued execution over
 * without any handler. The command refused it all the same (exit 2, "needs the compensation
 * handler ... pass --handlers"), as it refuses a started one whose compensations it lacks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/index.js';
import { runTsChild } from '../helpers/child.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const CHILD = join(import.meta.dirname, '../recovery/every-state-child.ts');
const store = tempStore('orch-cancel-queued-');
afterAll(() => store.remove());

describe('orchestrator cancel of a queued orphan', () => {
  it('cancels it without --handlers, and takes over no other execution', async () => {
    // The child leaves one execution in each state, two of them queued, and is killed.
    const idsFile = join(store.dir, 'ids.json');
    const child = await runTsChild(CHILD, [store.file, join(store.dir, 'ledger.txt'), idsFile]);
    expect(child.signal, child.out).toBe('SIGKILL');
    const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as Record<string, string>;
    // Its workflow names the compensation `undo_hold`, which no --handlers module gives.
    const id = ids.pending_saga ?? '';

    const r = await cli(['--json', 'cancel', id, '--store', store.url, '--timeout', '20']);
    expect(r.stderr).not.toContain('pass --handlers');
    expect(r.code).toBe(0);
    const out = parseJson<{ cancelled: boolean; via: string; status: ExecutionStatus }>(r.stdout);
    expect(out).toMatchObject({ cancelled: true, via: 'takeover' });
    expect(out.status).toMatchObject({ status: 'cancelled', compensatedSteps: [] });
    expect(out.status.steps.map((s) => s.attempts)).toEqual([0, 0]);

    const other = await cli(['--json', 'status', ids.pending_ok ?? '', '--store', store.url]);
    expect(parseJson<ExecutionStatus>(other.stdout).status).toBe('pending');
  }, 120_000);
});
