/**
 * AbortScope: the runner's cheap stand-in for an AbortController. Races (a handler's promise
 * against the scope), children, and the real AbortSignal created on demand.
 */
import { describe, expect, it } from 'vitest';
import { AbortScope } from '../../src/engine/abort-scope.js';
import { deferred as pending } from '../helpers/deferred.js';

describe('AbortScope.race', () => {
  it('resolves and rejects with the raced value', async () => {
    const scope = new AbortScope();
    const ok = scope.race(Promise.resolve(1));
    await expect(ok).resolves.toBe(1);
    scope.endRace(ok);
    const bad = scope.race(Promise.reject(new Error('boom')));
    await expect(bad).rejects.toThrow('boom');
    scope.endRace(bad);
  });

  it('rejects a pending race with the abort reason', async () => {
    const scope = new AbortScope();
    const race = scope.race(pending<number>().promise);
    scope.abort('cancel');
    await expect(race).rejects.toBe('cancel');
  });

  it('rejects at once when the scope has already aborted', async () => {
    const scope = new AbortScope();
    scope.abort('timeout');
    await expect(scope.race(Promise.resolve(1))).rejects.toBe('timeout');
  });

  it('rejects every concurrent race on abort (the fast path and the listening ones)', async () => {
    const scope = new AbortScope();
    const races = [1, 2, 3].map(() => scope.race(pending<number>().promise));
    scope.abort('shutdown');
    for (const race of races) await expect(race).rejects.toBe('shutdown');
  });

  it('ending another promise leaves the fast-path race abortable', async () => {
    const scope = new AbortScope();
    const first = scope.race(pending<number>().promise);
    const second = scope.race(Promise.resolve(2));
    await expect(second).resolves.toBe(2);
    // The second race listened; ending it must not free the first one's place.
    scope.endRace(second);
    scope.endRace(Promise.resolve(0));
    scope.abort('cancel');
    await expect(first).rejects.toBe('cancel');
  });

  it('a race after an ended one is still aborted, and an ended race is not rejected later', async () => {
    const scope = new AbortScope();
    const done = scope.race(Promise.resolve('a'));
    await expect(done).resolves.toBe('a');
    scope.endRace(done);
    const next = scope.race(pending<string>().promise);
    scope.abort('lease');
    await expect(next).rejects.toBe('lease');
    await expect(done).resolves.toBe('a');
  });

  it('a race whose caller never ended it does not stop later races from being aborted', async () => {
    const scope = new AbortScope();
    await scope.race(Promise.resolve(1));
    const later = scope.race(pending<number>().promise);
    scope.abort('cancel');
    await expect(later).rejects.toBe('cancel');
  });
});

describe('AbortScope children and signal', () => {
  it('a child aborts with its parent, and a race on the child is rejected', async () => {
    const parent = new AbortScope();
    const child = new AbortScope(parent);
    const race = child.race(pending<number>().promise);
    parent.abort('cancel');
    expect(child.aborted).toBe(true);
    expect(child.reason).toBe('cancel');
    await expect(race).rejects.toBe('cancel');
  });

  it('a disposed child no longer follows its parent', () => {
    const parent = new AbortScope();
    const child = new AbortScope(parent);
    child.dispose();
    parent.abort('cancel');
    expect(child.aborted).toBe(false);
  });

  it('the signal aborts with the scope, also when read after the abort', () => {
    const scope = new AbortScope();
    const signal = scope.signal;
    expect(signal.aborted).toBe(false);
    scope.abort('timeout');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('timeout');
    const late = new AbortScope();
    late.abort('cancel');
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe('cancel');
  });
});

describe('AbortScope deadlines checked by expireIfLate', () => {
  it('ends a scope strictly past its deadline, the earliest due first, and not once cleared', () => {
    const ended: string[] = [];
    const parent = new AbortScope();
    const child = new AbortScope(parent);
    parent.setDeadline(100, () => {
      ended.push('parent');
      parent.abort('parent late');
    });
    child.setDeadline(50, () => {
      ended.push('child');
      child.abort('child late');
    });
    child.expireIfLate(50);
    expect(ended).toEqual([]);
    // Both due: the child's earlier deadline first, as its timer would have fired first.
    child.expireIfLate(101);
    expect(ended).toEqual(['child', 'parent']);
    expect(child.reason).toBe('child late');
    // An aborted scope's deadline is not run again.
    child.expireIfLate(200);
    parent.expireIfLate(200);
    expect(ended).toEqual(['child', 'parent']);

    // The same deadline: the ancestor's first (its abort ends the child too).
    const tied: string[] = [];
    const root = new AbortScope();
    const leaf = new AbortScope(root);
    root.setDeadline(10, () => {
      tied.push('root');
      root.abort('root late');
    });
    leaf.setDeadline(10, () => tied.push('leaf'));
    leaf.expireIfLate(11);
    expect(tied).toEqual(['root']);
    expect(leaf.reason).toBe('root late');

    const cleared = new AbortScope();
    cleared.setDeadline(10, () => cleared.abort('late'));
    cleared.clearDeadline();
    cleared.expireIfLate(1_000);
    expect(cleared.aborted).toBe(false);
  });
});

describe('AbortScope.expireAllIfLate', () => {
  /** A scope whose deadline at `at` records `name` and aborts it. */
  function timed(ended: string[], name: string, at: number, parent?: AbortScope): AbortScope {
    const scope = new AbortScope(parent);
    scope.setDeadline(at, () => {
      ended.push(name);
      scope.abort(`${name} late`);
    });
    return scope;
  }

  it('ends every late scope under the root, the earliest deadline first, the outer first when tied', () => {
    const ended: string[] = [];
    const root = new AbortScope();
    const group = timed(ended, 'group', 30, root);
    timed(ended, 'b', 20, group);
    timed(ended, 'a', 10, group);
    timed(ended, 'c', 30, root);
    timed(ended, 'later', 500, root);
    root.expireAllIfLate(10);
    expect(ended).toEqual([]);
    root.expireAllIfLate(31);
    // The group's end aborts its children: each runs once, and `c` (tied with it) after it.
    expect(ended).toEqual(['a', 'b', 'group', 'c']);
  });

  it('leaves out the scopes whose deadline was cleared or that were disposed', () => {
    const ended: string[] = [];
    const root = new AbortScope();
    const cleared = timed(ended, 'cleared', 10, root);
    cleared.clearDeadline();
    const disposed = timed(ended, 'disposed', 10, root);
    disposed.dispose();
    root.expireAllIfLate(100);
    expect(ended).toEqual([]);
    expect(cleared.aborted).toBe(false);
  });
});
