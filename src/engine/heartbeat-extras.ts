/**
 * Entries that parts outside the engine add to this node's heartbeat `info` (the remote-worker hub
 * adds the workers registered with it), so that every node and the CLI, reading the store's node
 * registry, see them: each a provider read at every heartbeat. The engine's own keys win.
 * @module
 */

export class HeartbeatExtras {
  private readonly providers = new Map<string, () => unknown>();

  /** Adds `key` to each heartbeat, as `provider()` answers then; `null` takes it out. */
  set(key: string, provider: (() => unknown) | null): void {
    if (provider === null) this.providers.delete(key);
    else this.providers.set(key, provider);
  }

  /** The entries, read now; a provider that throws leaves its entry out. */
  entries(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, provider] of this.providers) {
      try {
        out[key] = provider();
      } catch {
        // A heartbeat must not fail over an extra: it keeps the node's lease.
      }
    }
    return out;
  }
}
