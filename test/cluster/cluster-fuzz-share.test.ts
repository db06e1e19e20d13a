/**
 * The cluster chaos fuzz's share check (cluster-fuzz-share.ts) on store reads written by hand:
 * a survivor that held nothing while the survivors held more than one node's slots fails it; one
 * survivor holding everything passes while that is within one node's slots.
 */
import { describe, expect, it } from 'vitest';
import { checkShare, type KillWindow, ownerPid } from './cluster-fuzz-share.js';

const A = 11;
const B = 22;

/** A window from journal position 10 to 20, with reads at positions 10, 12, ... of `held` (a, b). */
function window(held: [number, number][]): KillWindow {
  return {
    victim: 'c',
    from: 10,
    to: 20,
    survivors: [
      { label: 'a', pid: A },
      { label: 'b', pid: B },
    ],
    reads: held.map(([a, b], k) => ({
      n: 10 + 2 * k,
      owned: new Map([
        [A, a],
        [B, b],
      ]),
    })),
    slots: 8,
  };
}

function problems(w: KillWindow): string[] {
  const out: string[] = [];
  checkShare(w, (m) => out.push(m));
  return out;
}

describe('the cluster fuzz share check', () => {
  it('fails a survivor that held nothing once the survivors held more than one node’s slots', () => {
    expect(
      problems(
        window([
          [0, 5],
          [0, 8],
          [0, 9],
        ]),
      ),
    ).toEqual([
      "a held none of the executions while c was down, though the survivors held 9, more than one node's 8 slots",
    ]);
  });

  it('passes one survivor holding everything while that fits one node’s slots', () => {
    expect(
      problems(
        window([
          [0, 5],
          [0, 8],
          [0, 3],
        ]),
      ),
    ).toEqual([]);
  });

  it('passes when each survivor held some before the survivors held more than one node’s slots', () => {
    expect(
      problems(
        window([
          [1, 5],
          [0, 8],
          [0, 9],
        ]),
      ),
    ).toEqual([]);
  });

  it('looks only at the reads while the victim was down', () => {
    const w = window([[0, 9]]);
    w.reads[0]!.n = 25;
    expect(problems(w)).toEqual([]);
  });

  it('reads the owner pid from a node id', () => {
    expect(ownerPid('host~4026531836/4242/a9e194')).toBe(4242);
  });
});
