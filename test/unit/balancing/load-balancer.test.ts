import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import { NoWorkersError, ValidationError } from '../../../src/errors.js';

describe('LoadBalancer assignment', () => {
  it('starts with three idle workers by default', () => {
    const lb = new LoadBalancer();
    expect(lb.getWorkers()).toEqual(['worker_1', 'worker_2', 'worker_3']);
    expect(lb.getLoadDistribution()).toEqual({ worker_1: 0, worker_2: 0, worker_3: 0 });
    expect(Object.keys(lb.getLoadDistribution())).toEqual(['worker_1', 'worker_2', 'worker_3']);
    expect(lb.activeCount()).toBe(0);
  });

  it('assigns to the least-loaded worker, ties going to the first registered', () => {
    const lb = new LoadBalancer();
    expect(['e1', 'e2', 'e3', 'e4'].map((id) => lb.assignWorkflow(id))).toEqual([
      'worker_1',
      'worker_2',
      'worker_3',
      'worker_1',
    ]);
    expect(lb.getLoadDistribution()).toEqual({ worker_1: 2, worker_2: 1, worker_3: 1 });
    expect(lb.getWorker('e4')).toBe('worker_1');
    expect(lb.activeCount()).toBe(4);
  });

  it('returns the same worker for an id assigned twice, without counting it twice', () => {
    const lb = new LoadBalancer();
    lb.assignWorkflow('e1');
    expect(lb.assignWorkflow('e1')).toBe('worker_1');
    expect(lb.getLoadDistribution()).toEqual({ worker_1: 1, worker_2: 0, worker_3: 0 });
  });

  it('rebalances at once when a workflow completes', () => {
    const lb = new LoadBalancer();
    for (const id of ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']) lb.assignWorkflow(id);
    expect(lb.completeWorkflow('e2')).toBe(true);
    expect(lb.completeWorkflow('e5')).toBe(true);
    expect(lb.getLoadDistribution()).toEqual({ worker_1: 2, worker_2: 0, worker_3: 2 });
    expect(lb.assignWorkflow('e7')).toBe('worker_2');
    expect(lb.assignWorkflow('e8')).toBe('worker_2');
    expect(lb.assignWorkflow('e9')).toBe('worker_1');
  });

  it('completes an unknown or already completed id with false', () => {
    const lb = new LoadBalancer();
    lb.assignWorkflow('e1');
    expect(lb.completeWorkflow('nope')).toBe(false);
    expect(lb.completeWorkflow('e1')).toBe(true);
    expect(lb.completeWorkflow('e1')).toBe(false);
    expect(lb.getWorker('e1')).toBeUndefined();
    expect(lb.getLoadDistribution()).toEqual({ worker_1: 0, worker_2: 0, worker_3: 0 });
  });

  it('throws NoWorkersError without workers, and ValidationError for a bad id', () => {
    const lb = new LoadBalancer({ workers: [] });
    expect(() => lb.assignWorkflow('e1')).toThrow(NoWorkersError);
    expect(() => new LoadBalancer().assignWorkflow('')).toThrow(ValidationError);
  });

  it('validates the constructor options and ignores duplicate workers', () => {
    expect(() => new LoadBalancer({ workers: ['a', ''] })).toThrow(/workers\[1\]/);
    expect(() => new LoadBalancer({ workers: 'a' as unknown as string[] })).toThrow(ValidationError);
    expect(() => new LoadBalancer({ onReassign: 1 as unknown as () => void })).toThrow(/onReassign/);
    expect(new LoadBalancer({ workers: ['a', 'b', 'a'] }).getWorkers()).toEqual(['a', 'b']);
  });
});

describe('LoadBalancer balance', () => {
  it('is balanced when idle or with no workers', () => {
    expect(new LoadBalancer().isBalanced()).toBe(true);
    expect(new LoadBalancer({ workers: [] }).isBalanced()).toBe(true);
    expect(new LoadBalancer().balanceScore()).toBe(1);
  });

  it('judges every worker against threshold × mean of the mean', () => {
    // loads 10, 8, 12: mean 10, largest deviation 2 = 0.2 × mean
    const lb = new LoadBalancer({ workers: ['worker_1', 'worker_2', 'worker_3'] });
    fill(lb, { worker_1: 10, worker_2: 8, worker_3: 12 });
    expect(lb.getLoadDistribution()).toEqual({ worker_1: 10, worker_2: 8, worker_3: 12 });
    expect(lb.isBalanced(0.3)).toBe(true);
    expect(lb.isBalanced(0.2)).toBe(true); // exactly on the boundary
    expect(lb.isBalanced(0.19)).toBe(false);
    expect(lb.isBalanced()).toBe(true);
    expect(lb.balanceScore()).toBe(0.9); // 2 of 20 executions would move (12 → 10, 10 ← 8)
  });

  it('uses a default threshold of 0.3', () => {
    // loads 13, 10, 7: mean 10, largest deviation 3 = 0.3 × mean (on the boundary)
    const even = new LoadBalancer();
    fill(even, { worker_1: 13, worker_2: 10, worker_3: 7 });
    expect(even.isBalanced()).toBe(true);
    expect(even.isBalanced(0.29)).toBe(false);
    // loads 14, 10, 6: deviation 4 = 0.4 × mean
    const uneven = new LoadBalancer();
    fill(uneven, { worker_1: 14, worker_2: 10, worker_3: 6 });
    expect(uneven.isBalanced()).toBe(false);
    expect(uneven.isBalanced(0.4)).toBe(true);
  });

  it('is unbalanced when one worker carries the load', () => {
    const lb = new LoadBalancer();
    fill(lb, { worker_1: 5, worker_2: 0, worker_3: 0 });
    expect(lb.isBalanced()).toBe(false);
    expect(lb.isBalanced(2)).toBe(true); // mean 5/3, deviation 10/3 = 2 × mean
    // Everything on one worker: the worst placement of 5 over 3 workers
    expect(lb.balanceScore()).toBe(0);
  });

  it('rejects a negative or NaN threshold', () => {
    expect(() => new LoadBalancer().isBalanced(-0.1)).toThrow(ValidationError);
    expect(() => new LoadBalancer().isBalanced(Number.NaN)).toThrow(/threshold/);
  });

  it('keeps max − min ≤ 1 over any sequence of assignments', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 300 }), (workers, count) => {
        const lb = new LoadBalancer({ workers: Array.from({ length: workers }, (_, i) => `w${i}`) });
        for (let i = 0; i < count; i++) lb.assignWorkflow(`e${i}`);
        const loads = Object.values(lb.getLoadDistribution());
        expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('stays fair over 3000 random assign/complete operations', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 3000, maxLength: 3000 }), fc.integer(), (ops, seed) => {
        const lb = new LoadBalancer();
        const active: string[] = [];
        let rng = seed >>> 0;
        let next = 0;
        for (const assign of ops) {
          if (assign || active.length === 0) {
            const id = `e${next++}`;
            const before = lb.getLoadDistribution();
            const worker = lb.assignWorkflow(id);
            // the chosen worker had the fewest active executions
            expect(before[worker]).toBe(Math.min(...Object.values(before)));
            active.push(id);
          } else {
            rng = (Math.imul(rng, 1_103_515_245) + 12_345) >>> 0;
            const [id] = active.splice(rng % active.length, 1);
            expect(lb.completeWorkflow(id!)).toBe(true);
          }
        }
        const loads = Object.values(lb.getLoadDistribution());
        expect(loads.reduce((a, b) => a + b, 0)).toBe(active.length);
        expect(lb.activeCount()).toBe(active.length);
      }),
      { numRuns: 20 },
    );
  });
});

describe('LoadBalancer workers', () => {
  it('adds a worker that then takes the next assignments; a duplicate is ignored', () => {
    const lb = new LoadBalancer({ workers: ['a'] });
    lb.assignWorkflow('e1');
    lb.assignWorkflow('e2');
    expect(lb.addWorker('b')).toBe(true);
    expect(lb.addWorker('b')).toBe(false);
    expect(lb.getLoadDistribution()).toEqual({ a: 2, b: 0 });
    expect(lb.assignWorkflow('e3')).toBe('b');
    expect(() => lb.addWorker('')).toThrow(ValidationError);
  });

  it('reassigns a removed worker’s executions to the least-loaded others', () => {
    const calls: [string, string, string][] = [];
    const lb = new LoadBalancer({ onReassign: (e, from, to) => calls.push([e, from, to]) });
    for (const id of ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']) lb.assignWorkflow(id);
    // worker_1: e1 e4 e7, worker_2: e2 e5, worker_3: e3 e6
    expect(lb.removeWorker('worker_1')).toEqual({ e1: 'worker_2', e4: 'worker_3', e7: 'worker_2' });
    expect(calls).toEqual([
      ['e1', 'worker_1', 'worker_2'],
      ['e4', 'worker_1', 'worker_3'],
      ['e7', 'worker_1', 'worker_2'],
    ]);
    expect(lb.getLoadDistribution()).toEqual({ worker_2: 4, worker_3: 3 });
    expect(lb.getWorker('e4')).toBe('worker_3');
    expect(lb.completeWorkflow('e4')).toBe(true);
    expect(lb.getLoadDistribution()).toEqual({ worker_2: 4, worker_3: 2 });
    expect(lb.activeCount()).toBe(6);
  });

  it('removes idle and unknown workers without reassignments', () => {
    const lb = new LoadBalancer();
    expect(lb.removeWorker('worker_2')).toEqual({});
    expect(lb.removeWorker('ghost')).toEqual({});
    expect(lb.getWorkers()).toEqual(['worker_1', 'worker_3']);
  });

  it('refuses to remove the last worker while it has active executions', () => {
    const lb = new LoadBalancer({ workers: ['only'] });
    lb.assignWorkflow('e1');
    expect(() => lb.removeWorker('only')).toThrow(NoWorkersError);
    expect(() => lb.removeWorker('only')).toThrow(
      "Cannot remove worker 'only': it has 1 active execution and",
    );
    lb.assignWorkflow('e9');
    expect(() => lb.removeWorker('only')).toThrow('it has 2 active executions and');
    lb.completeWorkflow('e9');
    expect(lb.getWorkers()).toEqual(['only']);
    expect(lb.getWorker('e1')).toBe('only');
    lb.completeWorkflow('e1');
    expect(lb.removeWorker('only')).toEqual({});
    expect(() => lb.assignWorkflow('e2')).toThrow(NoWorkersError);
  });

  it('finishes the reassignment and rethrows the first onReassign error', () => {
    const seen: string[] = [];
    const lb = new LoadBalancer({
      workers: ['a', 'b'],
      onReassign: (e) => {
        seen.push(e);
        throw new Error(`listener failed on ${e}`);
      },
    });
    lb.assignWorkflow('e1');
    lb.assignWorkflow('e2');
    lb.assignWorkflow('e3');
    expect(() => lb.removeWorker('a')).toThrow('listener failed on e1');
    expect(seen).toEqual(['e1', 'e3']);
    expect(lb.getLoadDistribution()).toEqual({ b: 3 });
  });
});

/** Builds an exact load picture: fills every worker to the highest target, then completes the surplus. */
function fill(lb: LoadBalancer, target: Record<string, number>): void {
  const workers = lb.getWorkers();
  const top = Math.max(...Object.values(target));
  const ids = Array.from({ length: top * workers.length }, (_, i) => `fill${i}`);
  for (const id of ids) lb.assignWorkflow(id);
  for (const worker of workers) {
    let surplus = top - (target[worker] ?? 0);
    for (const id of ids) {
      if (surplus === 0) break;
      if (lb.getWorker(id) === worker) {
        lb.completeWorkflow(id);
        surplus--;
      }
    }
  }
}
