/**
 * Placement and nodes that advertise no handlers (an earlier release, `NodeHandlers.isSilent`):
 * such a node is chosen only when no node known to have the workflow's handlers will do — also
 * when the least-loaded node is one that lacks a handler (this node during a rolling deploy that
 * adds an action). It was chosen there, and failed the step with ACTION_NOT_FOUND.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../../../src/balancing/load-balancer.js';
import type { Plan } from '../../../src/definition/types.js';
import { NodeHandlers, placementTarget } from '../../../src/engine/capable-nodes.js';
import type { EngineContext } from '../../../src/engine/context.js';

const NOW = 1_000_000;

interface Node {
  id: string;
  load: number;
  /** The heartbeat's `info`: `{}` for a node that advertises nothing. */
  info: Record<string, unknown>;
}

/** What placement reads of a cluster seen from node `self`, which has no handler at all. */
function cluster(nodes: Node[], selfLoad = 0): EngineContext {
  const lb = new LoadBalancer({ workers: [] });
  const nodeHandlers = new NodeHandlers();
  const heartbeats = new Map<string, { at: number; leaseMs: number; capacity: number }>();
  lb.addWorker('self');
  for (let i = 0; i < selfLoad; i++) lb.attach(`own-${i}`, 'self');
  for (const n of nodes) {
    lb.addWorker(n.id);
    lb.setExternalLoad(n.id, n.load);
    heartbeats.set(n.id, { at: NOW, leaseMs: 30_000, capacity: 10 });
  }
  nodeHandlers.update(nodes.map((n) => ({ id: n.id, info: n.info })) as never);
  return {
    nodeId: 'self',
    loadBalancer: lb,
    nodeHandlers,
    heartbeats,
    clock: { now: () => NOW },
    config: {
      maxConcurrentWorkflows: 10,
      enableCompensation: true,
      leaseSeconds: 30,
      alerts: { imbalanceThreshold: 0.3 },
    },
    actions: { get: () => undefined },
    errorRecovery: { getCompensation: () => undefined },
  } as unknown as EngineContext;
}

const plan = {
  steps: [{ kind: 'action', name: 'register', action: 'register' }],
  format: 1,
} as unknown as Plan;
const serving = (actions: string[]) => ({ handlers: { actions, compensations: [] }, definitionFormat: 99 });

describe('placement and nodes that advertise no handlers', () => {
  it('this node lacks the handler and is least loaded: the known node, not the less loaded silent one', () => {
    const ctx = cluster([
      { id: 'silent', load: 1, info: {} },
      { id: 'known', load: 2, info: serving(['register']) },
    ]);
    expect(placementTarget(ctx, plan)).toBe('known');
  });

  it('another node that lacks it is least loaded: the known node too', () => {
    const ctx = cluster(
      [
        { id: 'lacker', load: 0, info: serving(['other']) },
        { id: 'silent', load: 1, info: {} },
        { id: 'known', load: 2, info: serving(['register']) },
      ],
      1,
    );
    expect(placementTarget(ctx, plan)).toBe('known');
  });

  it('with no known node that has it, the silent node (it may have it), not this node', () => {
    const ctx = cluster([
      { id: 'lacker', load: 0, info: serving(['other']) },
      { id: 'silent', load: 3, info: {} },
    ]);
    expect(placementTarget(ctx, plan)).toBe('silent');
  });

  it('with no node that may have it, this node (the step fails here, as on one node)', () => {
    const ctx = cluster([{ id: 'lacker', load: 0, info: serving(['other']) }], 2);
    expect(placementTarget(ctx, plan)).toBe('self');
  });
});
