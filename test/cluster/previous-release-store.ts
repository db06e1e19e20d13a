/** A PostgreSQL store whose heartbeats are those of a release from before `info.definitionFormat`. */
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { NodeRecord } from '../../src/store/store.js';

export class PreviousReleaseStore extends PostgresStore {
  override heartbeat(node: NodeRecord): Promise<void> {
    const { definitionFormat: _, ...info } = node.info;
    return super.heartbeat({ ...node, info });
  }
}
