/**
 * Store contract, part 4: claims, leases, fencing after a claim, owners and cancel requests.
 * @module
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/errors.js';
import type { ExecutionRecord } from '../../src/store/store.js';
import type { CurrentStore } from './contract.js';
import { makeExecution } from './records.js';

const NOW = 1_000_000;
const LIVE = NOW + 60_000;
const EXPIRED = NOW - 1;

/** One execution per case, created oldest (createdAt 10) to newest. */
function seed(): ExecutionRecord[] {
  return [
    makeExecution({ id: 'done', createdAt: 5, status: 'completed' }),
    makeExecution({ id: 'free', createdAt: 10, status: 'pending', input: { free: true } }),
    makeExecution({
      id: 'expired',
      createdAt: 20,
      status: 'running',
      owner: 'dead',
      leaseUntil: EXPIRED,
      epoch: 3,
    }),
    makeExecution({
      id: 'stale',
      createdAt: 30,
      status: 'running',
      owner: 'stale',
      leaseUntil: LIVE,
      epoch: 1,
    }),
    makeExecution({
      id: 'live',
      createdAt: 40,
      status: 'running',
      owner: 'live',
      leaseUntil: LIVE,
      epoch: 1,
    }),
    makeExecution({ id: 'edge', createdAt: 45, status: 'running', owner: 'live', leaseUntil: NOW, epoch: 1 }),
    makeExecution({ id: 'comp', createdAt: 50, status: 'compensating', owner: null, leaseUntil: null }),
    makeExecution({ id: 'failed', createdAt: 60, status: 'failed', owner: 'gone', leaseUntil: EXPIRED }),
  ];
}

const ids = (records: ExecutionRecord[]) => records.map((r) => r.id);

/** Claims, leases and cancellation. */
export function leaseContract(store: CurrentStore): void {
  describe('claims and leases', () => {
    beforeEach(async () => {
      for (const record of seed()) await store().createExecution(record);
    });

    const claim = (extra: Partial<Parameters<ReturnType<CurrentStore>['claimExecutions']>[0]> = {}) =>
      store().claimExecutions({ owner: 'me', leaseUntil: NOW + 30_000, now: NOW, limit: 100, ...extra });

    it('takes unowned, expired and stale-owner executions, oldest first, bumping the epoch', async () => {
      const claimed = await claim({ staleOwners: ['stale'] });
      expect(ids(claimed)).toEqual(['free', 'expired', 'stale', 'comp']);
      for (const record of claimed) expect(record).toMatchObject({ owner: 'me', leaseUntil: NOW + 30_000 });
      expect(claimed.map((r) => r.epoch)).toEqual([1, 4, 2, 1]);
      expect(claimed[0]).toEqual({ ...seed()[1], owner: 'me', leaseUntil: NOW + 30_000, epoch: 1 });
      const stored = (await store().getExecution('expired'))!.execution;
      expect(stored).toMatchObject({ owner: 'me', leaseUntil: NOW + 30_000, epoch: 4 });
    });

    it('leaves live leases (a lease ending exactly now included) and finished executions alone', async () => {
      expect(ids(await claim())).toEqual(['free', 'expired', 'comp']);
      for (const id of ['done', 'stale', 'live', 'edge', 'failed']) {
        const before = seed().find((r) => r.id === id)!;
        expect((await store().getExecution(id))!.execution).toMatchObject({
          owner: before.owner,
          leaseUntil: before.leaseUntil,
          epoch: before.epoch,
        });
      }
    });

    it('respects the limit and does not take a live claim again', async () => {
      expect(ids(await claim({ limit: 2 }))).toEqual(['free', 'expired']);
      expect(ids(await claim({ owner: 'other', limit: 2 }))).toEqual(['comp']);
      expect(await claim({ owner: 'third' })).toEqual([]);
      expect(await claim({ limit: 0, now: LIVE + 1 })).toEqual([]);
    });

    it("stores a claimed execution that has a worker under the claimer's worker, when given one", async () => {
      await store().createExecution(
        makeExecution({
          id: 'placed',
          createdAt: 15,
          status: 'running',
          owner: 'dead',
          leaseUntil: EXPIRED,
          workerId: 'dead',
        }),
      );
      await store().createExecution(
        makeExecution({
          id: 'kept',
          createdAt: 16,
          status: 'running',
          owner: 'dead',
          leaseUntil: EXPIRED,
          workerId: 'dead',
        }),
      );
      // Without a worker (not cluster mode), the workerId stays as stored.
      expect(ids(await claim({ ids: ['kept'] }))).toEqual(['kept']);
      expect((await store().getExecution('kept'))!.execution.workerId).toBe('dead');
      const claimed = await claim({ ids: ['placed', 'free'], worker: 'me' });
      expect(claimed.map((r) => [r.id, r.workerId])).toEqual([
        ['free', null],
        ['placed', 'me'],
      ]);
      expect((await store().getExecution('placed'))!.execution).toMatchObject({
        owner: 'me',
        workerId: 'me',
      });
      // One never started has none to move.
      expect((await store().getExecution('free'))!.execution.workerId).toBeNull();
    });

    it('restricts the claim to the given ids', async () => {
      expect(ids(await claim({ ids: ['comp', 'live', 'done', 'unknown'] }))).toEqual(['comp']);
      expect(ids(await claim({ ids: ['live'], staleOwners: ['live'] }))).toEqual(['live']);
    });

    it('skips the executions of the given workflow versions, all of them or those that will not only compensate', async () => {
      await store().createExecution(
        makeExecution({ id: 'v2', createdAt: 11, workflowVersion: 2, status: 'running' }),
      );
      await store().createExecution(makeExecution({ id: 'other', createdAt: 12, workflowId: 'other' }));
      await store().createExecution(
        makeExecution({ id: 'cancel', createdAt: 13, status: 'running', cancelRequested: true }),
      );
      // 'wf' v1 skipped unless it only compensates: 'comp' (compensating) and 'cancel' are claimed.
      const skip = [
        { workflowId: 'wf', version: 1, compensates: true },
        { workflowId: 'other', version: 1, compensates: false },
      ];
      expect(ids(await claim({ skip, limit: 3 }))).toEqual(['v2', 'cancel', 'comp']);
      expect(ids(await claim({ skip: [{ workflowId: 'wf', version: 1, compensates: false }] }))).toEqual([
        'other',
      ]);
      expect(ids(await claim({ skip: [], ids: ['free'] }))).toEqual(['free']);
    });

    it('with `runs`, claims the executions of a skipped version that are not compensating', async () => {
      await store().createExecution(
        makeExecution({ id: 'cancel', createdAt: 13, status: 'running', cancelRequested: true }),
      );
      await store().createExecution(
        makeExecution({ id: 'comp-cancel', createdAt: 14, status: 'compensating', cancelRequested: true }),
      );
      // A claimer that runs 'wf' v1 but lacks its compensations (and runs none of its own).
      const runs = [{ workflowId: 'wf', version: 1, compensates: false, runs: true }];
      expect(ids(await claim({ skip: runs, ids: ['comp', 'comp-cancel'] }))).toEqual([]);
      expect(ids(await claim({ skip: runs }))).toEqual(['free', 'cancel', 'expired']);
      // With `compensates` too, the compensating ones are claimed as well.
      const both = [{ workflowId: 'wf', version: 1, compensates: true, runs: true }];
      expect(ids(await claim({ owner: 'other', skip: both }))).toEqual(['comp-cancel', 'comp']);
    });

    it('claims a pending execution with a cancel requested whatever skips its version: it needs no handler', async () => {
      await store().createExecution(
        makeExecution({ id: 'unstarted', createdAt: 13, status: 'pending', cancelRequested: true }),
      );
      await store().createExecution(
        makeExecution({ id: 'started', createdAt: 14, status: 'running', cancelRequested: true }),
      );
      // A claimer with none of 'wf' v1's handlers: 'free' (pending, no cancel) and 'started' (a
      // cancel, but it ran: compensations may be owed) stay skipped.
      const none = [{ workflowId: 'wf', version: 1, compensates: false }];
      expect(ids(await claim({ skip: none }))).toEqual(['unstarted']);
      expect(ids(await claim({ owner: 'other', skip: none, ids: ['free', 'started'] }))).toEqual([]);
    });

    it("fences the previous holder's writes after a claim", async () => {
      const [claimed] = await claim({ ids: ['expired'] });
      await expect(store().update({ id: 'expired', epoch: 3, set: { cursor: 7 } })).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      await store().update({ id: 'expired', epoch: claimed!.epoch, set: { cursor: 8 } });
      expect((await store().getExecution('expired'))!.execution.cursor).toBe(8);
    });

    it('counts the unfinished executions nobody owns', async () => {
      const before = await store().countUnowned!();
      expect(before).toBeGreaterThan(0);
      await store().createExecution(makeExecution({ id: 'unowned-new', createdAt: 20, status: 'pending' }));
      await store().createExecution(
        makeExecution({ id: 'unowned-done', createdAt: 21, status: 'completed' }),
      );
      expect(await store().countUnowned!()).toBe(before + 1);
      // A claim takes them: owned now.
      const claimed = await claim({ ids: ['free', 'unowned-new'] });
      expect(await store().countUnowned!()).toBe(before + 1 - claimed.length);
      // Released by its owner (a node that closes): nobody's again.
      await store().releaseLeases('me', ['unowned-new']);
      expect(await store().countUnowned!()).toBe(before + 2 - claimed.length);
    });

    it('lists the owners of unfinished executions', async () => {
      expect(await store().listOwners()).toEqual(['dead', 'live', 'stale']);
    });

    it("renews only the owner's unfinished executions, and names them", async () => {
      await store().createExecution(
        makeExecution({ id: 'live-done', status: 'completed', owner: 'live', leaseUntil: 1 }),
      );
      expect((await store().renewLeases('live', LIVE + 5)).sort()).toEqual(['edge', 'live']);
      expect((await store().getExecution('edge'))!.execution).toMatchObject({
        leaseUntil: LIVE + 5,
        epoch: 1,
      });
      expect((await store().getExecution('live-done'))!.execution.leaseUntil).toBe(1);
      expect((await store().getExecution('stale'))!.execution.leaseUntil).toBe(LIVE);
      expect(await store().renewLeases('nobody', LIVE)).toEqual([]);
    });

    it("releases the owner's unfinished executions for an immediate claim", async () => {
      await store().createExecution(
        makeExecution({ id: 'live-done', status: 'completed', owner: 'live', leaseUntil: 1 }),
      );
      await store().releaseLeases('live');
      expect((await store().getExecution('live'))!.execution).toMatchObject({
        owner: null,
        leaseUntil: null,
        epoch: 1,
      });
      expect((await store().getExecution('live-done'))!.execution.owner).toBe('live');
      expect(ids(await claim({ ids: ['live', 'edge'] }))).toEqual(['live', 'edge']);
      expect(await store().listOwners()).toEqual(['dead', 'me', 'stale']);
    });

    it("hands the owner's pending executions among the given ones over to another node", async () => {
      await store().createExecution(
        makeExecution({
          id: 'queued-1',
          createdAt: 70,
          status: 'pending',
          owner: 'live',
          leaseUntil: LIVE,
          epoch: 2,
        }),
      );
      await store().createExecution(
        makeExecution({
          id: 'queued-2',
          createdAt: 71,
          status: 'pending',
          owner: 'live',
          leaseUntil: LIVE,
          epoch: 1,
        }),
      );
      const handed = await store().handOver!({
        from: 'live',
        to: 'joined',
        // 'live' and 'edge' ran before (running), 'free' is nobody's, 'stale' another's.
        ids: ['queued-1', 'queued-2', 'live', 'edge', 'free', 'stale', 'unknown', 'queued-1'],
        leaseUntil: LIVE + 7,
      });
      expect([...handed].sort()).toEqual(['queued-1', 'queued-2']);
      expect((await store().getExecution('queued-1'))!.execution).toMatchObject({
        owner: 'joined',
        leaseUntil: LIVE + 7,
        epoch: 3,
        status: 'pending',
      });
      expect((await store().getExecution('queued-2'))!.execution).toMatchObject({
        owner: 'joined',
        epoch: 2,
      });
      expect((await store().getExecution('live'))!.execution).toMatchObject({ owner: 'live', epoch: 1 });
      expect((await store().getExecution('free'))!.execution.owner).toBeNull();
      expect((await store().getExecution('stale'))!.execution.owner).toBe('stale');
      expect(await store().listOwned('joined', 10)).toEqual(['queued-1', 'queued-2']);
      // Handed over again, it is no longer the first owner's to hand.
      expect(await store().handOver!({ from: 'live', to: 'x', ids: ['queued-1'], leaseUntil: LIVE })).toEqual(
        [],
      );
    });

    it("releases only the given executions of the owner's", async () => {
      await store().releaseLeases('live', ['live', 'stale', 'unknown']);
      expect((await store().getExecution('live'))!.execution).toMatchObject({
        owner: null,
        leaseUntil: null,
      });
      expect((await store().getExecution('edge'))!.execution).toMatchObject({
        owner: 'live',
        leaseUntil: NOW,
      });
      expect((await store().getExecution('stale'))!.execution).toMatchObject({
        owner: 'stale',
        leaseUntil: LIVE,
      });
    });
  });

  describe('cancel requests', () => {
    it('marks an unfinished execution, and its owner lists it', async () => {
      await store().createExecution(
        makeExecution({ id: 'a', status: 'running', owner: 'n1', leaseUntil: LIVE }),
      );
      await store().createExecution(
        makeExecution({ id: 'b', status: 'running', owner: 'n1', leaseUntil: LIVE }),
      );
      await store().createExecution(
        makeExecution({ id: 'c', status: 'pending', owner: 'n2', leaseUntil: LIVE }),
      );
      const record = await store().requestCancel('a');
      expect(record).toMatchObject({ id: 'a', status: 'running', cancelRequested: true });
      await store().requestCancel('c');
      expect(await store().listCancelRequests('n1')).toEqual(['a']);
      expect(await store().listCancelRequests('n2')).toEqual(['c']);
      expect((await store().getExecution('a'))!.execution.cancelRequested).toBe(true);
      expect((await store().getExecution('b'))!.execution.cancelRequested).toBe(false);
    });

    it('returns a finished execution unchanged and null for an unknown id', async () => {
      await store().createExecution(makeExecution({ id: 'done', status: 'completed', owner: 'n1' }));
      expect(await store().requestCancel('done')).toMatchObject({ id: 'done', cancelRequested: false });
      expect(await store().listCancelRequests('n1')).toEqual([]);
      expect(await store().requestCancel('missing')).toBeNull();
    });

    it('stops listing an execution once it finished', async () => {
      await store().createExecution(
        makeExecution({ id: 'x', status: 'running', owner: 'n1', leaseUntil: LIVE }),
      );
      await store().requestCancel('x');
      await store().update({ id: 'x', epoch: 0, set: { status: 'cancelled' } });
      expect(await store().listCancelRequests('n1')).toEqual([]);
    });
  });
}
