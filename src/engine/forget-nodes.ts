/**
 * Forgetting dead nodes: every durable node writes a row into the node registry when it starts
 * and heartbeats it; a node that exits cleanly removes its row, one that crashes (or is killed)
 * leaves it behind. Each node, at most once per {@link FORGET_CHECK_EVERY_MS}, removes the rows of
 * nodes silent for longer than {@link FORGET_NODES_AFTER_MS} (or ten leases, if longer) that no
 * longer own an unfinished execution. A row whose node still owns executions stays until they
 * were taken over, so `orchestrator workers` and the dashboard keep showing where they are.
 * @module
 */
import { intervalPassed } from '../clock.js';
import type { Store } from '../store/store.js';

/** A node silent this long is forgotten (with the default 30 s lease; ten leases if longer). */
export const FORGET_NODES_AFTER_MS = 60 * 60 * 1000;

/** How often a node looks for rows to forget. */
export const FORGET_CHECK_EVERY_MS = 60 * 1000;

/** See the module comment. One per node. */
export class NodeForgetter {
  private lastCheck = Number.NEGATIVE_INFINITY;

  /**
   * @param store the registry.
   * @param self this node's id (never forgotten by itself).
   * @param leaseMs the lease length.
   */
  constructor(
    private readonly store: Store,
    private readonly self: string,
    private readonly leaseMs: number,
  ) {}

  /** Removes forgettable rows if a check is due at `now`; returns the ids removed. */
  async run(now: number): Promise<string[]> {
    if (!intervalPassed(now, this.lastCheck, FORGET_CHECK_EVERY_MS)) return [];
    this.lastCheck = now;
    const cutoff = now - Math.max(FORGET_NODES_AFTER_MS, 10 * this.leaseMs);
    const silent = (await this.store.listNodes()).filter(
      (node) => node.id !== this.self && node.lastHeartbeat < cutoff,
    );
    if (silent.length === 0) return [];
    const owners = new Set(await this.store.listOwners());
    const removed: string[] = [];
    for (const node of silent) {
      if (owners.has(node.id)) continue;
      await this.store.removeNode(node.id);
      removed.push(node.id);
    }
    return removed;
  }
}
