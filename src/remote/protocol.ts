/**
 * The remote-worker wire protocol: the JSON shapes exchanged over `/v1/remote-workers`, shared
 * by the hub, the HTTP routes and the TypeScript worker client. Plain types only, so the
 * client imports nothing from the server side.
 * @module
 */

/** Action names a remote worker may serve (the engine's handler-name rule). */
export const ACTION_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/** The one name the pattern lets through that no workflow step can give its action. */
export const RESERVED_ACTION_NAME = '__proto__';

/** The longest error code a step's error keeps (a remote worker's, a local handler's cut to it). */
export const MAX_ERROR_CODE_LENGTH = 128;
/** Error codes a remote worker may report (`fail`): letters, digits and `_.:-`, at most 128. */
export const ERROR_CODE_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The longest message a `fail` report may carry, in UTF-16 code units (a string's `length`). */
export const MAX_FAIL_MESSAGE_LENGTH = 8192;

/** The most actions one worker may register (serve). */
export const MAX_WORKER_ACTIONS = 100;

/** The longest `name` a worker may register with (a label for people). */
export const MAX_WORKER_NAME_LENGTH = 128;

/** The longest wait a poll may ask for, in seconds (HTTP intermediaries often cut idle requests at 60 s). */
export const MAX_POLL_WAIT_SECONDS = 30;

/** `POST /v1/remote-workers` body. */
export interface RegisterRequest {
  /** A label for people (listing, logs). */
  name?: string;
  /** The actions this worker serves. */
  actions: string[];
}

/** `POST /v1/remote-workers` answer (201). */
export interface RegisterResponse {
  /** Random id naming this registration in every later request. */
  workerId: string;
  /** A leased task expires this long after its hand-over or last heartbeat; the registration, after the worker's last request. */
  leaseSeconds: number;
  /** The wait a poll should ask for. */
  pollSeconds: number;
}

/** `POST /v1/remote-workers/:workerId/poll` body. */
export interface PollRequest {
  /** Only tasks of these actions (a subset of the registered ones). @default every registered action */
  actions?: string[];
  /** Seconds to wait for a task before answering 204 (0: answer at once). @default pollSeconds */
  waitSeconds?: number;
}

/** A task handed to a remote worker (`POST .../poll` answers `{ task }`). */
export interface RemoteTask {
  taskId: string;
  action: string;
  executionId: string;
  workflowId: string;
  /** The step (or parallel branch) this task runs. */
  step: string;
  /** 1 for the step's first run, 2 for its first retry, ... */
  attempt: number;
  /** The step's input (any JSON). */
  input: unknown;
  /** Stable across attempts, restarts and failovers: make side effects idempotent with it. */
  idempotencyKey: string;
  /** When the step's attempt ends at the latest (ISO 8601; its timeout, or the workflow's when that comes first), or null. */
  deadline: string | null;
}

/** `POST .../tasks/:taskId/heartbeat` answer. */
export interface HeartbeatResponse {
  /** True once the step was cancelled or timed out: stop working, the result will be refused. */
  cancelled: boolean;
}

/** `POST .../tasks/:taskId/complete` body. */
export interface CompleteRequest {
  /** The step's output (any JSON). @default null */
  output?: unknown;
}

/** `POST .../tasks/:taskId/fail` body. */
export interface FailRequest {
  error: {
    /** The step error's code. @default STEP_FAILED (NON_RETRYABLE when `retryable` is false) */
    code?: string;
    message: string;
  };
  /** False: fail the step at once, without retries. @default true (the step's retry policy decides) */
  retryable?: boolean;
}

/** One leased task as `GET /v1/remote-workers` lists it. */
export interface RemoteTaskInfo
  extends Pick<RemoteTask, 'taskId' | 'action' | 'executionId' | 'workflowId' | 'step' | 'attempt'> {
  leasedAt: Date;
  leaseUntil: Date;
  /** Cancelled (or timed out) while leased; the worker learns it on its next heartbeat. */
  cancelled: boolean;
}

/** One registered worker as `GET /v1/remote-workers` lists it. */
export interface RemoteWorkerInfo {
  id: string;
  name?: string;
  actions: string[];
  registeredAt: Date;
  /** The last request of this worker (a poll in progress counts as now). */
  lastSeen: Date;
  /** Polls waiting for a task right now. */
  polling: number;
  /** Tasks leased to this worker. */
  tasks: RemoteTaskInfo[];
}

/**
 * One registered worker as `GET /v1/workers` lists it under `remoteWorkers` (and the dashboard's
 * workers page): who it is, what it serves, and how busy and alive it is. No task ids: a task id
 * with the worker id is what completes a task, so this operator view counts tasks and names none.
 */
export interface RemoteWorkerSummary {
  id: string;
  name?: string;
  actions: string[];
  /** Tasks leased to it now (one cancelled while leased included, until the worker hears of it). */
  heldTasks: number;
  /** Polls waiting for a task right now. */
  polling: number;
  registeredAt: Date;
  /** The last request of this worker (a poll in progress counts as now). */
  lastSeen: Date;
}

/** `GET /v1/remote-workers` answer. */
export interface RemoteWorkersSnapshot {
  workers: RemoteWorkerInfo[];
  /** Tasks waiting for a worker, by action. */
  queued: Record<string, number>;
}
