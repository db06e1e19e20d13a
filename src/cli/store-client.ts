/**
 * A read-only client over a store for the commands that inspect executions (`status`, `list`,
 * `cancel`, `metrics`, `workers`). It opens the store directly — it never creates an
 * orchestrator, so it never resumes or runs executions — and builds `ExecutionStatus` with
 * the engine's own builder from stored records and the stored definitions' plans.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemClock } from '../clock.js';
import { DEFAULTS } from '../config.js';
import { readStored } from '../definition/stored.js';
import type { Plan } from '../definition/types.js';
import { ownerKnownDead } from '../engine/owners.js';
import { buildStatus } from '../engine/status.js';
import { executionIdTime } from '../ids.js';
import { openStoreLazily } from '../store/open-store-lazily.js';
import type { PostgresStore } from '../store/postgres/postgres-store.js';
import { shownUrl, withoutStoreParameters } from '../store/postgres/url-options.js';
import { checkStorePath } from '../store/sqlite/open-path.js';
import type {
  DefinitionRecord,
  ExecutionFilter,
  ExecutionRecord,
  ExecutionSnapshot,
  Store,
} from '../store/store.js';
import type { StoreUrlKey } from '../store-url.js';
import type { ExecutionState, ExecutionStatus } from '../types.js';
import { within } from '../within.js';
import { CliError } from './errors.js';
import { cliStoreError } from './store-url-error.js';

/** Plan defaults: only step names, kinds and branches matter for a status, so the seed's defaults do. */
const PLAN_DEFAULTS = {
  retryAttempts: DEFAULTS.retryAttempts,
  retryDelay: DEFAULTS.retryDelay,
  workflowTimeout: DEFAULTS.workflowTimeout,
};

/** The SQLite file a `sqlite:<path>` URL names, or null for other stores. */
export function sqliteFile(url: string): string | null {
  if (!url.startsWith('sqlite:')) return null;
  const path = url.slice('sqlite:'.length);
  return path === '' || path === ':memory:' ? null : resolve(process.cwd(), path);
}

/**
 * The store of `url`, not opened yet. The URL first: one refused (`sqlite:~/x.db`) says why, not
 * that no file is there, naming where the URL came from (`key`).
 */
export async function lazyStore(url: string, key: StoreUrlKey = 'store'): Promise<Store> {
  try {
    return await openStoreLazily(url);
  } catch (error) {
    throw cliStoreError(error, key);
  }
}

/**
 * The store of `url`, not opened yet (nothing of it written), once it is known to exist: a SQLite
 * file that holds an orchestrator store, a PostgreSQL schema with one (the memory store always).
 * `store`: the one {@link lazyStore} gave for `url` already.
 * @throws CliError `STORE_NOT_FOUND` for a missing file or schema, or a file of something else.
 */
export async function existingStore(url: string, key: StoreUrlKey = 'store', store?: Store): Promise<Store> {
  store ??= await lazyStore(url, key);
  const file = sqliteFile(url);
  // A FIFO, a device or a folder is refused naming what it is, as the store's opening does, before
  // anything opens it: opening a FIFO waits for a writer, in a call no signal interrupts.
  if (file !== null) checkStorePath(file);
  if (file !== null && !existsSync(file)) {
    throw new CliError(
      `store '${url}' does not exist yet (no file ${file}); run a workflow or \`orchestrator migrate\` first`,
      { code: 'STORE_NOT_FOUND' },
    );
  }
  if (file !== null) {
    const { notAStoreError } = await import('./sqlite-store-exists.js');
    const refused = notAStoreError(url, file);
    if (refused !== null) throw refused;
  }
  if (store.kind === 'postgres') {
    // The URL's schema and query timeout (`?queryTimeoutMs=`), as the store took them.
    const { schema, queryTimeoutMs } = store as PostgresStore;
    const { pgSchemaExists } = await import('./pg-schema-exists.js');
    const exists = await pgSchemaExists(withoutStoreParameters(url), schema, queryTimeoutMs);
    if (exists === false) {
      throw new CliError(
        `store '${shownUrl(url)}' does not exist yet (no schema ${JSON.stringify(schema)} with an orchestrator store in that database); run a workflow or \`orchestrator migrate\` first`,
        { code: 'STORE_NOT_FOUND' },
      );
    }
  }
  return store;
}

/**
 * Whether the store lives inside this process and ends with it: `memory`, or `sqlite::memory:` (an
 * in-memory SQLite database, whose store calls itself durable since only its process sees it).
 */
export function inProcessStore(url: string): boolean {
  return url === 'memory' || url === 'sqlite::memory:';
}

/** A hint for stores that cannot be inspected from another process. */
export function storeHint(url: string): string {
  return inProcessStore(url)
    ? ' (the memory store lives inside one process: inspect a durable store instead)'
    : '';
}

/**
 * The warning of a report read from a store that lives inside one process (`metrics`, `workers`):
 * the store is this process's own, new and empty, whatever another process ran; null for others.
 */
export function inProcessStoreWarning(url: string): string | null {
  return inProcessStore(url)
    ? 'the memory store lives inside one process: this one is new and empty, so it shows nothing another process ran; inspect a durable store instead'
    : null;
}

/**
 * Whether the execution's owner is a live process holding an unexpired lease, as the engine judges
 * it (`ownerKnownDead`: a dead process of this pid space, or one whose SQLite node lock is free).
 */
export function hasLiveOwner(record: ExecutionRecord, store: Store, now = Date.now()): boolean {
  return (
    record.owner !== null &&
    record.leaseUntil !== null &&
    record.leaseUntil > now &&
    !ownerKnownDead(record.owner, store)
  );
}

/** How long the CLI waits for the database's time before it goes by its host's, ms. */
export const STORE_CLOCK_WAIT_MS = 2_000;

/**
 * The database's clock less this host's, ms: the CLI judges leases and heartbeat ages by the
 * database's time, as cluster nodes keep it (`clock-alignment.ts`). By its host's, a CLI 60 s ahead
 * said "No live process owns …" of an execution whose owner was alive. 0 for a store without a
 * clock of its own (SQLite: one host), or one that does not answer within `waitMs`.
 */
export async function storeClockOffsetMs(store: Store, waitMs = STORE_CLOCK_WAIT_MS): Promise<number> {
  if (!store.clockOffset) return 0;
  const settled = await within(store.clockOffset(), waitMs, systemClock);
  return settled?.ok && Number.isFinite(settled.value.offsetMs) ? Math.round(settled.value.offsetMs) : 0;
}

/** Store-backed, read-only queries. Close it when done. */
/** The store filter of a listing cursor: the place its id names (none for no id, or not ours). */
function place(key: 'before' | 'after', id: string | undefined): Pick<ExecutionFilter, typeof key> {
  const createdAt = id === undefined ? null : executionIdTime(id);
  return createdAt === null ? {} : { [key]: { createdAt, id: id! } };
}

export class StoreClient {
  readonly store: Store;
  /** The store URL, as given. */
  readonly url: string;
  private readonly plans = new Map<string, Plan | null>();
  /** The stored definitions read so far, by workflow id and version (compiled on demand). */
  private readonly stored = new Map<string, Map<number, DefinitionRecord>>();
  private closed = false;

  private constructor(store: Store, url: string) {
    this.store = store;
    this.url = url;
  }

  /**
   * Opens the store (running its migrations). Unless `create` is set, a SQLite file or a
   * PostgreSQL schema that does not exist yet is an error rather than silently created empty,
   * and so is a SQLite file that holds no store (empty, or another application's database).
   */
  static async open(
    url: string,
    options: { create?: boolean; key?: StoreUrlKey } = {},
  ): Promise<StoreClient> {
    const store = options.create ? await lazyStore(url, options.key) : await existingStore(url, options.key);
    await store.init();
    return new StoreClient(store, url);
  }

  /** The status of one execution, or null. */
  async getStatus(id: string): Promise<ExecutionStatus | null> {
    const snapshot = await this.store.getExecution(id);
    return snapshot ? this.toStatus(snapshot) : null;
  }

  /** The raw record of one execution, or null. */
  async getRecord(id: string): Promise<ExecutionRecord | null> {
    return (await this.store.getExecution(id))?.execution ?? null;
  }

  /** Executions newest first, and how many match the filter in all. */
  async list(filter: {
    status?: ExecutionState;
    workflowId?: string;
    limit: number;
    /** Only executions after this one (an id of `newExecutionId`: see `ListExecutionsOptions.before`). */
    before?: string;
    /** Only the nearest executions before this one (see `ListExecutionsOptions.after`). */
    after?: string;
  }): Promise<{ executions: ExecutionStatus[]; total: number }> {
    const where = {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.workflowId ? { workflowId: filter.workflowId } : {}),
    };
    const rows = await this.store.listExecutions({
      ...where,
      limit: filter.limit,
      ...place('before', filter.before),
      ...place('after', filter.after),
    });
    const executions: ExecutionStatus[] = [];
    for (const row of rows) executions.push(await this.toStatus(row));
    return { executions, total: await this.store.countExecutions(where) };
  }

  /** Raw records of the given states (at most `limit` of each), newest first. */
  async records(states: ExecutionState[], limit: number, workflowId?: string): Promise<ExecutionRecord[]> {
    const out: ExecutionRecord[] = [];
    for (const status of states) {
      const filter: ExecutionFilter = { status, limit, ...(workflowId ? { workflowId } : {}) };
      for (const row of await this.store.listExecutions(filter)) out.push(row.execution);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  /**
   * The compiled plan of a stored definition version, or undefined if it is not stored. Only the
   * versions asked for are compiled (once): a workflow's first status compiled every version of
   * it, hundreds for a workflow redefined hundreds of times.
   */
  async plan(workflowId: string, version: number): Promise<Plan | undefined> {
    const key = `${workflowId}@${version}`;
    if (!this.plans.has(key)) {
      let stored = this.stored.get(workflowId);
      if (!stored?.has(version)) {
        stored = new Map((await this.store.listDefinitions(workflowId)).map((def) => [def.version, def]));
        this.stored.set(workflowId, stored);
      }
      const def = stored.get(version);
      // A version a newer release defined may not compile here: its statuses are built without
      // a plan (as for one not stored).
      this.plans.set(key, def ? readStored(def, PLAN_DEFAULTS).plan : null);
    }
    return this.plans.get(key) ?? undefined;
  }

  /** Ids of the workflows with a stored definition. */
  async workflowIds(): Promise<string[]> {
    const ids = new Set((await this.store.listDefinitions()).map((d) => d.id));
    return [...ids].sort();
  }

  /** Closes the store (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.close();
  }

  private async toStatus(snapshot: ExecutionSnapshot): Promise<ExecutionStatus> {
    const r = snapshot.execution;
    const plan = await this.plan(r.workflowId, r.workflowVersion);
    return buildStatus(r, new Map(snapshot.steps.map((s) => [s.name, s])), plan);
  }
}

/**
 * Opens a client on `target` (a URL, or the CLI's store and where it came from), runs `fn`, and
 * always closes the store.
 */
export async function withClient<T>(
  target: string | { store: string; storeKey: StoreUrlKey },
  fn: (client: StoreClient) => Promise<T>,
): Promise<T> {
  const client =
    typeof target === 'string'
      ? await StoreClient.open(target)
      : await StoreClient.open(target.store, { key: target.storeKey });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
