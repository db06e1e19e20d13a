/**
 * How a remote worker reports a task's outcome to the node that handed it out: its output, its
 * failure, or (when the worker stops) the task given back; retried until the lease would have run
 * out.
 * @module
 */
import type { Logger } from '../config.js';
import { echo } from '../echo.js';
import {
  findJsonProblem,
  jsonSizeOverLimit,
  MAX_JSON_TEXT,
  NOT_JSON,
  TOO_LARGE,
  tryCopyJson,
} from '../json-value.js';
import { isClosedAnswer } from './http-transport.js';
import type { FailRequest, RemoteTask } from './protocol.js';
import { failMessage, failureOf } from './task-failure.js';
import { monotonicNow, sleep } from './worker-clock.js';
import type { NodeState, WorkerNodes } from './worker-nodes.js';

/** Why a task's signal aborted: the node cancelled it, its lease was lost, or the worker stops. */
export type AbortWhy = 'cancelled' | 'lost' | 'stopping';

/** What a task's handler came to. */
export type Outcome = { ok: true; output: unknown } | { ok: false; error: unknown };

export class TaskReporter {
  private readonly nodes: WorkerNodes;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  /** Whether the worker is stopping: a report is then tried once. */
  private readonly stopping: () => boolean;

  constructor(nodes: WorkerNodes, timeoutMs: number, log: Logger, stopping: () => boolean) {
    this.nodes = nodes;
    this.timeoutMs = timeoutMs;
    this.log = log;
    this.stopping = stopping;
  }

  async report(
    node: NodeState,
    workerId: string,
    task: RemoteTask,
    outcome: Outcome,
    why: AbortWhy | null,
    leaseEnd: number,
  ): Promise<void> {
    if (why === 'lost') {
      this.log.warn({ taskId: task.taskId }, 'task lease lost; its result is dropped (the step is retried)');
      return;
    }
    if (!outcome.ok && why === 'stopping') {
      // Given back, not failed: the next poll gets it as the same attempt, so a step without
      // `retry` does not fail because this worker stopped. A node without the route (404, 405:
      // an older version) is told the task failed, WORKER_STOPPED and retryable, instead.
      const status = await this.send(node, workerId, task, 'release', undefined, leaseEnd, [404, 405]);
      if (status !== 404 && status !== 405) return;
    }
    if (!outcome.ok) {
      // The handler's own failure, unless its signal aborted it first.
      const failure: FailRequest =
        why === 'cancelled'
          ? { error: { code: 'CANCELLED', message: 'cancelled by the orchestrator' } }
          : why === 'stopping'
            ? {
                error: {
                  code: 'WORKER_STOPPED',
                  message: 'the remote worker stopped before the task finished',
                },
                retryable: true,
              }
            : failureOf(outcome.error);
      await this.send(node, workerId, task, 'fail', failure, leaseEnd);
      return;
    }
    // As for a local handler: a value JSON would change (a Map, a function, NaN) fails the step;
    // so does one that throws while it is read (a getter).
    let body: string | null = null;
    let notJson = '';
    // Checked and copied in one walk, as the node does; an array whose length alone is far over
    // what the node keeps is refused from it, its items neither walked nor written
    // (`new Array(2 ** 32 - 1)`: no memory, 20 GB of JSON).
    const copy = tryCopyJson(outcome.output, MAX_JSON_TEXT);
    if (copy === TOO_LARGE) {
      const message = `output is too large to store: ${jsonSizeOverLimit(Number.POSITIVE_INFINITY, MAX_JSON_TEXT)}`;
      const failure = { code: 'OUTPUT_TOO_LARGE', message };
      await this.send(node, workerId, task, 'fail', { error: failure, retryable: false }, leaseEnd);
      return;
    }
    if (copy === NOT_JSON) {
      const problem = findJsonProblem(outcome.output, 'output');
      notJson = problem ? `${echo(problem.path, null)}: ${problem.message}` : 'it cannot be stored as JSON';
    } else {
      try {
        body = JSON.stringify({ output: copy === undefined ? null : copy });
      } catch (error) {
        notJson = failureOf(error).error.message;
      }
    }
    if (body === null) {
      const failure = { code: 'INVALID_OUTPUT', message: failMessage(`output is not JSON: ${notJson}`) };
      await this.send(node, workerId, task, 'fail', { error: failure, retryable: false }, leaseEnd);
      return;
    }
    // A refused output (400, 413) is reported as a failure right after: not a lost result.
    let refusal: unknown;
    const status = await this.send(node, workerId, task, 'complete', body, leaseEnd, [400, 413], (r) => {
      refusal = r;
    });
    if (status === 413 || status === 400) {
      // The node's own words, when it gave some (which field, what is wrong).
      const why = (refusal as { message?: unknown } | undefined)?.message;
      const failure = {
        code: status === 413 ? 'OUTPUT_TOO_LARGE' : 'INVALID_OUTPUT',
        message: failMessage(
          `the orchestrator refused the output (HTTP ${status})${typeof why === 'string' && why !== '' ? `: ${why}` : ''}`,
        ),
      };
      await this.send(node, workerId, task, 'fail', { error: failure, retryable: false }, leaseEnd);
    }
  }

  /**
   * Sends a report, retrying network errors and 5xx until the lease would have run out (`until`,
   * on the monotonic clock; once while stopping), but for a 503 `CLOSED` (logged: the node is closed). Returns the final status (0 when it never got through).
   * A refusal other than a lost lease (409) or one of `handled` loses the result: it is logged — a
   * lost registration (404: the node dropped the worker, failing its tasks with WORKER_LOST, and
   * the worker registers again) naming the task and its action, another (a 401 once the token
   * changed, a proxy's 403) without the node knowing. Never with the body (an output may hold secrets).
   * `onRefused` receives the `error` of the answer that ended it (its code and message), if any.
   */
  private async send(
    node: NodeState,
    workerId: string,
    task: RemoteTask,
    report: 'complete' | 'fail' | 'release',
    body: unknown,
    until: number,
    handled: readonly number[] = [],
    onRefused?: (reason: unknown) => void,
  ): Promise<number> {
    const path = `/v1/remote-workers/${workerId}/tasks/${task.taskId}/${report}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.nodes.request(node, 'POST', path, body, this.timeoutMs);
        if (res.status === 404) this.nodes.forget(node, workerId);
        const reason = (res.body as { error?: unknown } | undefined)?.error;
        if (isClosedAnswer(res)) {
          // No retry will get through: the closed node no longer holds the task.
          this.log.warn(
            { url: node.url, path, reason },
            'report refused: the node is closed; the result is lost (its step runs again when the execution resumes)',
          );
          return res.status;
        }
        if (res.status === 409) this.log.info({ path, reason }, 'report refused');
        else if (res.status === 404 && !handled.includes(404)) {
          this.log.warn(
            { url: node.url, taskId: task.taskId, action: task.action, report, status: res.status },
            'report refused: the node no longer knows this worker (it dropped it, failing its tasks with WORKER_LOST); the result is lost',
          );
        } else if (
          res.status >= 400 &&
          res.status < 500 &&
          res.status !== 404 &&
          !handled.includes(res.status)
        ) {
          this.log.warn(
            { url: node.url, path, status: res.status, reason },
            'report refused; the result is lost and the task fails with WORKER_LOST once its lease runs out',
          );
        }
        if (res.status < 500) {
          if (res.status >= 400) onRefused?.(reason);
          return res.status;
        }
      } catch (error) {
        this.log.warn({ url: node.url, err: error }, 'report failed');
      }
      if (this.stopping() || monotonicNow() >= until) return 0;
      await sleep(Math.min(5000, 200 * 2 ** attempt));
    }
  }
}
