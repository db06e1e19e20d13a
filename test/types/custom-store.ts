/**
 * A custom store adapter written against the package root alone: every record and request type of
 * the `Store` port can be named there (a class's methods get no parameter types from the interface
 * they implement, so an adapter must spell them out).
 */
import type {
  AggregateFilter,
  ClaimRequest,
  CreateResult,
  DefinitionRecord,
  ExecutionFilter,
  ExecutionRecord,
  ExecutionSnapshot,
  ExecutionUpdate,
  IdempotencyKeyHolder,
  NodeRecord,
  OwnedRead,
  PurgeRequest,
  StepRecord,
  Store,
  StoreAggregates,
  WorkHint,
} from '../../src/index.js';

/** The signatures a custom adapter writes, checked against the port. */
export type AdapterMethods = {
  saveDefinition(def: DefinitionRecord): Promise<boolean>;
  createExecution(execution: ExecutionRecord, steps?: StepRecord[]): Promise<CreateResult>;
  findByIdempotencyKey(key: string): Promise<IdempotencyKeyHolder | null>;
  update(update: ExecutionUpdate): Promise<void>;
  getExecution(id: string): Promise<ExecutionSnapshot | null>;
  listExecutions(filter: ExecutionFilter): Promise<ExecutionSnapshot[]>;
  claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]>;
  aggregateByWorkflow(filter?: AggregateFilter): Promise<Map<string, StoreAggregates>>;
  readOwned(owner: string): Promise<OwnedRead>;
  heartbeat(node: NodeRecord): Promise<void>;
  purgeFinished(request: PurgeRequest): Promise<number>;
  subscribe(channel: 'work', onNotify: (hint: WorkHint) => void): Promise<() => Promise<void>>;
};

export const fits = (methods: AdapterMethods): Partial<Store> => methods;
