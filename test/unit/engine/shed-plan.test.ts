/** How many queued executions a node hands over, and to whom (`backlog-shedding.ts`). */
import { describe, expect, it } from 'vitest';
import { shedPlan } from '../../../src/engine/backlog-shedding.js';

const node = (id: string, load: number, slots = 10) => ({ id, load, slots });

describe('shedPlan', () => {
  it('hands a joining node its share of a backlog', () => {
    expect(shedPlan([node('a', 100), node('b', 0)], 'a', 0.3)).toEqual({
      count: 50,
      receivers: [{ id: 'b', room: 50 }],
    });
  });

  it('splits over every node far below its share, no more than they lack', () => {
    expect(shedPlan([node('a', 90), node('b', 0), node('c', 30), node('d', 0)], 'a', 0.3)).toEqual({
      count: 60,
      receivers: [
        { id: 'b', room: 30 },
        { id: 'd', room: 30 },
      ],
    });
  });

  it('weighs the shares by slots: a node of 1 slot beside one of 10 gets a small share', () => {
    expect(shedPlan([node('a', 22, 10), node('b', 0, 1)], 'a', 0.3)).toEqual({
      count: 2,
      receivers: [{ id: 'b', room: 2 }],
    });
    // Counted by load alone, b would take 11 to run one at a time.
    expect(shedPlan([node('a', 110, 10), node('b', 0, 1)], 'a', 0.3)).toEqual({
      count: 10,
      receivers: [{ id: 'b', room: 10 }],
    });
  });

  it('hands one over at small loads when another node is idle', () => {
    expect(shedPlan([node('a', 3, 2), node('b', 0, 2)], 'a', 0.3)).toEqual({
      count: 1,
      receivers: [{ id: 'b', room: 1 }],
    });
  });

  it('hands nothing over to nodes within the threshold, or from a node at or below its share', () => {
    expect(shedPlan([node('a', 60), node('b', 50)], 'a', 0.3).count).toBe(0);
    expect(shedPlan([node('a', 11), node('b', 9)], 'a', 0.1).count).toBe(0);
    expect(shedPlan([node('a', 12), node('b', 8)], 'a', 0.1)).toEqual({
      count: 2,
      receivers: [{ id: 'b', room: 2 }],
    });
    expect(shedPlan([node('a', 0), node('b', 100)], 'a', 0.3).count).toBe(0);
    expect(shedPlan([node('a', 50), node('b', 50)], 'a', 0.3).count).toBe(0);
  });

  it('hands nothing over when the others are not far below their share', () => {
    // a is far above, but b and c are each within 0.3 of theirs.
    expect(shedPlan([node('a', 50), node('b', 40), node('c', 30)], 'a', 0.3).count).toBe(0);
  });

  it('hands nothing over alone, idle, unknown or without slots', () => {
    expect(shedPlan([node('a', 100)], 'a', 0.3).count).toBe(0);
    expect(shedPlan([node('a', 0), node('b', 0)], 'a', 0.3).count).toBe(0);
    expect(shedPlan([node('b', 0)], 'a', 0.3).count).toBe(0);
    expect(shedPlan([node('a', 5, 0), node('b', 0, 0)], 'a', 0.3).count).toBe(0);
  });

  it('counts the room of eligible nodes only', () => {
    const nodes = [node('a', 110), node('b', 0), node('c', 50)];
    // b lacks 50 of its share, c 0 (within the threshold): b ineligible, nothing to hand over.
    expect(shedPlan(nodes, 'a', 0.3, (id) => id !== 'b').count).toBe(0);
    const three = [node('a', 90), node('b', 0), node('c', 0)];
    expect(shedPlan(three, 'a', 0.3, (id) => id === 'c')).toEqual({
      count: 30,
      receivers: [{ id: 'c', room: 30 }],
    });
  });
});
