/**
 * Workflow definitions: validated, versioned, stored, and compiled to plans once. Redefining
 * an id with the same definition, in whatever form (see `canonical.ts`), returns the current
 * version; a changed one creates the next version.
 * Running executions keep the version they began with.
 *
 * The latest version of each workflow is compiled when read (a version this release cannot run
 * is known at once); an older one only when first asked for (by a runner adopting one of its
 * executions, a status, a compensation): compiling every version ever defined made start-up time
 * and memory grow with every redefinition. Superseded versions keep their plans only while among
 * the {@link MAX_OLDER_COMPILED} most recently used: a process that redefined a workflow for weeks
 * held every plan it ever compiled.
 * @module
 */
import { type Clock, intervalPassed } from '../clock.js';
import { canonicalDefinitionJson } from '../definition/canonical.js';
import { type CompiledExpressions, withCompiledExpressions } from '../definition/expression.js';
import { readStored, type StoredPlan } from '../definition/stored.js';
import type {
  Plan,
  PlanDefaults,
  StepDefinition,
  WorkflowDefinition,
  WorkflowOptions,
} from '../definition/types.js';
import { validateCompiling } from '../definition/validate.js';
import { ConflictError } from '../errors.js';
import { dropOldest, setRecent } from '../lru.js';
import type { DefinitionRecord, Store } from '../store/store.js';
import { byCodeUnits } from '../string-order.js';

/**
 * Superseded versions whose compiled plans are kept (least recently used dropped first, compiled
 * again when next needed); the latest version of each workflow is always kept.
 */
export const MAX_OLDER_COMPILED = 64;

/**
 * A stored version: its plan, or (`plan` null) what keeps this release from running it — a
 * version a newer release defined with keys or expressions this one does not know.
 */
type Entry = StoredPlan & {
  def: WorkflowDefinition;
  canonical: string;
};

/** A stored version as kept here: its definition, and once compiled its entry. */
interface Version {
  def: WorkflowDefinition;
  compiled: Entry | null;
}

interface Versions {
  byVersion: Map<number, Version>;
  latest: Version;
}

/**
 * Definitions by id and version, backed by the store. Versions never change once stored; which
 * one is the latest can, when another process sharing the store defines a new one: with
 * `refreshMs` > 0, `latest` re-reads a workflow's versions when it last read them that long ago,
 * before it answers (callers at the same time share the read; if the store cannot be read, the
 * version known here). A node idle for an hour so runs the version defined elsewhere meanwhile,
 * not the one it knew an hour ago.
 */
export class DefinitionRegistry {
  private readonly byId = new Map<string, Versions>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** When each workflow's versions were last read from the store. */
  private readonly readAt = new Map<string, number>();
  /** The re-read of each workflow's versions under way (see `latest`). */
  private readonly rereading = new Map<string, Promise<void>>();
  /** Superseded versions holding a compiled plan, least recently used first. */
  private readonly olderCompiled = new Map<Version, true>();
  /** When every definition was last read from the store, and the read under way. */
  private listedAt = 0;
  private listing: Promise<void> | null = null;
  private readonly store: Store;
  private readonly defaults: PlanDefaults;
  private readonly clock: Clock;
  private readonly refreshMs: number;

  constructor(store: Store, defaults: PlanDefaults, clock: Clock, refreshMs = 0) {
    this.store = store;
    this.defaults = defaults;
    this.clock = clock;
    this.refreshMs = refreshMs;
  }

  /**
   * Loads the stored definitions of one workflow, or of all. Of one workflow, only the versions
   * above the newest known here are read (`whole`: all of them): a workflow's versions are read
   * on every define and every `sweepInterval`, and re-reading all of them made that cost grow
   * with every version ever defined.
   */
  async load(workflowId?: string, whole = false): Promise<void> {
    const now = this.clock.now();
    const known =
      workflowId === undefined || whole ? undefined : this.byId.get(workflowId)?.latest.def.version;
    const records = await this.store.listDefinitions(workflowId, known);
    for (const rec of records) {
      this.add(rec);
      this.readAt.set(rec.id, now);
    }
    // The latest version of each workflow read is compiled now (the others when first asked for).
    for (const id of new Set(records.map((rec) => rec.id))) {
      const v = this.byId.get(id);
      if (v) this.compiled(v.latest);
    }
    // Only a known workflow is marked as read: an unknown id (asked for by anyone, over HTTP
    // too) is looked up in the store each time, and never kept here.
    if (workflowId === undefined) this.listedAt = now;
    else if (this.byId.has(workflowId)) this.readAt.set(workflowId, now);
  }

  /**
   * Re-reads every stored definition when the last full read is `refreshMs` old, so listings
   * include workflows (and versions) that another process sharing the store defined since.
   */
  async refreshAll(): Promise<void> {
    if (this.refreshMs <= 0 || !intervalPassed(this.clock.now(), this.listedAt, this.refreshMs)) return;
    this.listing ??= this.load().finally(() => {
      this.listing = null;
    });
    await this.listing;
  }

  /** Validates and stores a definition (serialized per id). */
  define(id: unknown, steps: unknown, options?: unknown): Promise<WorkflowDefinition> {
    const expressions: CompiledExpressions = new Map();
    const valid = validateCompiling(id, steps, options, expressions);
    const prior = this.locks.get(valid.id) ?? Promise.resolve();
    const next = prior
      .catch(() => undefined)
      .then(() => this.defineValid(valid.id, valid.steps, valid.options, expressions));
    this.locks.set(valid.id, next);
    void next
      .finally(() => {
        if (this.locks.get(valid.id) === next) this.locks.delete(valid.id);
      })
      .catch(() => undefined);
    return next;
  }

  private async defineValid(
    id: string,
    steps: StepDefinition[],
    options: WorkflowOptions,
    expressions: CompiledExpressions,
  ): Promise<WorkflowDefinition> {
    const canonical = canonicalDefinitionJson(steps, options);
    // Compare with the latest stored version, which another process may have defined.
    if (this.refreshMs > 0) await this.load(id);
    for (let tries = 0; ; tries++) {
      const latest = this.byId.get(id)?.latest;
      const current = latest && this.compiled(latest);
      if (current && current.canonical === canonical) return copy(current.def);
      const rec: DefinitionRecord = {
        id,
        version: (current?.def.version ?? 0) + 1,
        steps: steps as unknown[],
        options: options as Record<string, unknown>,
        createdAt: this.clock.now(),
      };
      // Another node may have stored this version first (`false`): reload, and either it is the
      // same definition (return it) or ours becomes the next version.
      let stored: boolean;
      try {
        // An adapter written before saveDefinition reported this returns nothing: taken as stored.
        stored = (await this.store.saveDefinition(rec)) !== false;
      } catch (error) {
        if (tries >= 2) throw error;
        stored = false;
      }
      if (stored) {
        const version = this.add(rec);
        // The canonical JSON just computed is this version's, unless another read added it first.
        return copy(
          this.compiled(version, expressions, version.def.steps === steps ? canonical : undefined).def,
        );
      }
      if (tries >= 10) {
        throw new ConflictError(
          `Workflow '${id}': could not store a new version (another node keeps defining it)`,
        );
      }
      await this.load(id);
    }
  }

  /**
   * The latest version of a workflow (reloading from the store once if unknown here). A version
   * known here is checked against the store first when it was read `refreshMs` ago or longer:
   * answering with it and re-reading in the background let the first call after an idle spell run
   * a version replaced elsewhere long before.
   */
  async latest(id: string): Promise<Entry | undefined> {
    if (this.byId.has(id)) {
      if (this.refreshMs > 0 && intervalPassed(this.clock.now(), this.readAt.get(id) ?? 0, this.refreshMs)) {
        await this.reread(id);
      }
    } else {
      await this.load(id);
    }
    const v = this.byId.get(id);
    return v && this.compiled(v.latest);
  }

  /**
   * Re-reads a workflow's versions (one read at a time per workflow, shared by its callers); a
   * failed read leaves the versions known here, and is tried again `refreshMs` after it failed:
   * while the store is down, each caller would otherwise first wait for a read of its own to fail
   * (counted from when it began, a read that failed on a connection timeout longer than
   * `refreshMs` would be due again at once).
   */
  private reread(id: string): Promise<void> {
    let read = this.rereading.get(id);
    if (!read) {
      read = this.load(id)
        .catch(() => {
          if (this.byId.has(id)) this.readAt.set(id, this.clock.now());
        })
        .finally(() => this.rereading.delete(id));
      this.rereading.set(id, read);
    }
    return read;
  }

  /** A specific version, compiled here if it was not yet (reloading once if unknown here). */
  async version(id: string, version: number): Promise<Entry | undefined> {
    let known = this.byId.get(id)?.byVersion.get(version);
    if (!known) {
      await this.load(id);
      // Below the newest known version (none is ever skipped here, but an older one could be): all.
      if (!this.byId.get(id)?.byVersion.has(version)) await this.load(id, true);
      known = this.byId.get(id)?.byVersion.get(version);
    }
    return known && this.compiled(known);
  }

  /** Plan of a version known here (compiled here if it was not yet), without touching the store. */
  cachedPlan(id: string, version: number): Plan | undefined {
    const known = this.byId.get(id)?.byVersion.get(version);
    return (known && this.compiled(known).plan) ?? undefined;
  }

  /** The id of every workflow known, in no particular order. */
  ids(): IterableIterator<string> {
    return this.byId.keys();
  }

  /** Latest version of every workflow, by id. */
  list(): WorkflowDefinition[] {
    return [...this.byId.values()].map((v) => copy(v.latest.def)).sort((a, b) => byCodeUnits(a.id, b.id));
  }

  /** Every version of one workflow, oldest first. */
  versions(id: string): WorkflowDefinition[] {
    const v = this.byId.get(id);
    return v ? [...v.byVersion.values()].map((e) => copy(e.def)).sort((a, b) => a.version - b.version) : [];
  }

  /**
   * A version compiled: its plan (or why this release cannot run it), compiled on the first call
   * only (a stored version never changes); `expressions`: those its validation here compiled
   * (reused, not compiled again), and `canonical`, its canonical JSON, when this node just defined it.
   */
  private compiled(version: Version, expressions?: CompiledExpressions, canonical?: string): Entry {
    // (Called on every executeWorkflow: nothing is allocated once compiled.)
    if (version.compiled) {
      if (this.olderCompiled.has(version)) setRecent(this.olderCompiled, version, true);
      return version.compiled;
    }
    const { def } = version;
    const entry: Entry = {
      ...withCompiledExpressions(expressions ?? new Map(), () => readStored(def, this.defaults)),
      def,
      canonical: canonical ?? canonicalDefinitionJson(def.steps, def.options),
    };
    version.compiled = entry;
    if (this.byId.get(def.id)?.latest !== version) this.keepOlder(version);
    return entry;
  }

  /** Counts a superseded version's plan among those kept, dropping the least recently used past the cap. */
  private keepOlder(version: Version): void {
    setRecent(this.olderCompiled, version, true);
    const dropped = dropOldest(this.olderCompiled, MAX_OLDER_COMPILED);
    if (dropped) dropped[0].compiled = null;
  }

  /** Keeps a stored version (not compiled yet: see `compiled`). */
  private add(rec: DefinitionRecord): Version {
    const known = this.byId.get(rec.id)?.byVersion.get(rec.version);
    if (known) return known;
    const steps = rec.steps as StepDefinition[];
    const options = rec.options as WorkflowOptions;
    const def: WorkflowDefinition = {
      id: rec.id,
      version: rec.version,
      steps,
      options,
      createdAt: new Date(rec.createdAt),
    };
    const version: Version = { def, compiled: null };
    let v = this.byId.get(rec.id);
    if (!v) {
      v = { byVersion: new Map(), latest: version };
      this.byId.set(rec.id, v);
    }
    v.byVersion.set(rec.version, version);
    if (rec.version >= v.latest.def.version && v.latest !== version) {
      const superseded = v.latest;
      v.latest = version;
      if (superseded.compiled) this.keepOlder(superseded);
    }
    return version;
  }
}

function copy(def: WorkflowDefinition): WorkflowDefinition {
  return {
    ...def,
    steps: structuredClone(def.steps),
    options: { ...def.options },
    createdAt: new Date(def.createdAt),
  };
}
