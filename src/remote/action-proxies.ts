/**
 * The proxy handlers a hub puts in an engine, one per action routed to remote workers, and the
 * engine it puts them in: an action a local handler serves stays local.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { markOutOfProcess } from '../engine/out-of-process.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { ActionHandler, StepContext } from '../types.js';
import { checkActionNames } from './action-names.js';

/** The engine surface the hub needs: install proxy handlers, see which names are taken. */
export interface ActionHost {
  registerAction(name: string, handler: ActionHandler): void;
  listActions(): string[];
  /** The handler registered under `name`: tells a proxy of the hub from a local handler. */
  getAction?(name: string): ActionHandler | undefined;
  /** Adds an entry to the node's heartbeat (`WorkflowEngine.advertise`): the hub's workers. */
  advertise?(key: string, provider: (() => unknown) | null): void;
}

/** What a proxy handler does: queue a task for a remote worker and wait for its result. */
export type Submit = (action: string, input: unknown, ctx: StepContext) => Promise<unknown>;

export class ActionProxies {
  private readonly submit: Submit;
  /** The proxy handler the hub made for each action it routes to remote workers. */
  private readonly proxies = new Map<string, ActionHandler>();
  private host: ActionHost | null = null;

  constructor(submit: Submit) {
    this.submit = submit;
  }

  /** The engine to install proxies in. @throws ValidationError for no engine, ConflictError for another one. */
  attach(host: ActionHost): void {
    const engine = host as Partial<ActionHost> | null;
    if (typeof engine?.registerAction !== 'function' || typeof engine.listActions !== 'function') {
      throw new ValidationError(
        [
          {
            path: 'host',
            message: `Expected an engine with registerAction() and listActions() (orch.workflowEngine), got ${describeValue(host)}`,
          },
        ],
        'Invalid attach arguments',
      );
    }
    if (this.host && this.host !== host) {
      throw new ConflictError('This remote worker hub is already attached to another engine');
    }
    this.host = host;
  }

  /** Proxy handlers for `names` (checked), by name. */
  handlers(names: string[]): Record<string, ActionHandler> {
    const out: Record<string, ActionHandler> = {};
    for (const name of checkActionNames(names, 'names', 'Invalid actions arguments')) {
      out[name] = this.proxyFor(name);
    }
    return out;
  }

  /**
   * Installs proxies in the engine for the `actions` a worker registers that have none yet.
   * @throws ConflictError for an action a local handler serves, or one this node cannot route
   * (no engine attached).
   */
  install(actions: string[]): void {
    const taken = new Set(this.host?.listActions() ?? []);
    // A local handler: registered, and not (or no longer: registering replaces) the hub's proxy.
    const local = actions.filter(
      (a) =>
        taken.has(a) &&
        (!this.proxies.has(a) ||
          (this.host?.getAction !== undefined && this.host.getAction(a) !== this.proxies.get(a))),
    );
    if (local.length > 0) {
      throw new ConflictError(
        `A local handler serves ${local.map((a) => `'${a}'`).join(', ')} on this node; remote workers cannot serve it`,
      );
    }
    const unserved = actions.filter((a) => !this.proxies.has(a));
    if (unserved.length > 0 && !this.host) {
      throw new ConflictError(
        `This node does not route ${unserved.map((a) => `'${a}'`).join(', ')} to remote workers`,
      );
    }
    for (const action of unserved) this.host?.registerAction(action, this.proxyFor(action));
  }

  /** The hub's proxy handler for `action` (one per action). */
  private proxyFor(action: string): ActionHandler {
    let proxy = this.proxies.get(action);
    if (!proxy) {
      // Its work runs in the worker's process: a restart of this one while it waits is no sign of
      // a step that takes its process down (not counted against maxStepInterruptions).
      proxy = markOutOfProcess((input, ctx) => this.submit(action, input, ctx));
      this.proxies.set(action, proxy);
    }
    return proxy;
  }
}
