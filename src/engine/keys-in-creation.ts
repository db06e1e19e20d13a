/**
 * The creates of this process under way with an idempotency key. The first call with a key may
 * still be creating its execution (its write waits in the group commit) when a retry with that
 * key is refused (see `idempotent-retry.ts`): the store does not hold the key yet, so the refusal
 * first waits for these creates. An accepted call only notes its create here while it is pending
 * (no store read).
 * @module
 */
import type { IdempotencyKeyHolder } from '../store/store.js';

/** Key → the execution the creates under way with it stored; kept only while one is pending. */
export class KeysInCreation {
  private readonly pending = new Map<string, Promise<IdempotencyKeyHolder | null>>();

  /**
   * Notes the create of an execution of `workflowId` with `key`; `creating` resolves with
   * whether it stored that execution (`created`) and its `id`.
   */
  track(key: string, workflowId: string, creating: Promise<{ created: boolean; id: string }>): void {
    const mine = creating.then(
      (result): IdempotencyKeyHolder | null => (result.created ? { id: result.id, workflowId } : null),
      () => null,
    );
    const earlier = this.pending.get(key);
    // At most one create with a key stores an execution; waiting means waiting for them all.
    const all = earlier ? Promise.all([earlier, mine]).then(([a, b]) => a ?? b) : mine;
    this.pending.set(key, all);
    void all.then(() => {
      if (this.pending.get(key) === all) this.pending.delete(key);
    });
  }

  /**
   * Once the creates under way with `key` ended: the execution one of them stored, or null (none
   * stored one, they failed, or none is under way).
   */
  settled(key: string): Promise<IdempotencyKeyHolder | null> {
    return this.pending.get(key) ?? Promise.resolve(null);
  }
}
