/**
 * Completion of executions learned from the orchestrators' events, for rows with several nodes:
 * an execution submitted on one node may run on another (placement), so the submitter cannot wait
 * on its own node. Every node's `step.completed` (for the last step: its output) and
 * `execution.finished` events are followed; no store reads, no polling. Both events are emitted
 * by the node that ran the execution after its terminal state was committed.
 * @module
 */
import type { Orchestrator } from '../../src/index.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

/** See the module comment. */
export class Completions<T> {
  private readonly waiting = new Map<string, Waiter<T>>();
  /** Executions that finished before anyone waited for them (their submit had not returned yet). */
  private readonly early = new Map<string, Settled<T>>();
  private readonly outputs = new Map<string, unknown>();
  /** Executions finished per node (where placement ran them), in the order of `nodes`. */
  readonly finishedBy: number[];

  /**
   * @param nodes the orchestrators whose events to follow.
   * @param lastStep name of the workflow's last step: its output is the execution's result.
   */
  constructor(nodes: readonly Orchestrator[], lastStep: string) {
    this.finishedBy = nodes.map(() => 0);
    for (const [index, node] of nodes.entries()) {
      node.on('step.completed', (e) => {
        if (e.step === lastStep) this.outputs.set(e.executionId, e.output);
      });
      node.on('execution.finished', (e) => {
        this.finishedBy[index]!++;
        const output = this.outputs.get(e.executionId);
        this.outputs.delete(e.executionId);
        const settled: Settled<T> =
          e.status === 'completed' && output !== undefined
            ? { ok: true, value: output as T }
            : {
                ok: false,
                error: new Error(
                  `execution ${e.executionId} ended ${e.status}${e.error ? `: ${JSON.stringify(e.error)}` : output === undefined ? ' without an output of its last step' : ''}`,
                ),
              };
        const waiter = this.waiting.get(e.executionId);
        if (!waiter) {
          this.early.set(e.executionId, settled);
          return;
        }
        this.waiting.delete(e.executionId);
        if (settled.ok) waiter.resolve(settled.value);
        else waiter.reject(settled.error);
      });
    }
  }

  /** Resolves with the last step's output once execution `id` completed (rejects if it ended otherwise). */
  wait(id: string): Promise<T> {
    const done = this.early.get(id);
    if (done) {
      this.early.delete(id);
      return done.ok ? Promise.resolve(done.value) : Promise.reject(done.error);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
    });
  }

  /** Executions waited for and not finished yet. */
  get pending(): number {
    return this.waiting.size;
  }
}

/** Waits (up to 10 s) until every node counts all the nodes as live workers. */
export async function waitForCluster(nodes: readonly Orchestrator[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const views = nodes.map((n) => Object.keys(n.loadBalancer.getLoadDistribution()).length);
    if (views.every((k) => k === nodes.length)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the ${nodes.length} nodes did not see each other within 10 s`);
}
