/**
 * The typed emitter behind `orch.on` / `orch.once` / `orch.off`: a `once` listener hears one
 * event and is gone; a listener that throws (or an async one that rejects) is reported and does
 * not stop the others.
 */
import { describe, expect, it } from 'vitest';
import { type EventName, TypedEmitter } from '../../src/events.js';
import { ValidationError } from '../../src/index.js';
import { withOrchestrator } from '../helpers/orchestrator.js';

const ref = (executionId: string) => ({ executionId, workflowId: 'w', workflowVersion: 1 });

describe('TypedEmitter', () => {
  it('delivers a once listener one event, then removes it', () => {
    const emitter = new TypedEmitter(() => undefined);
    const once: string[] = [];
    const every: string[] = [];
    emitter.once('execution.created', (e) => once.push(e.executionId));
    emitter.on('execution.created', (e) => every.push(e.executionId));
    for (const id of ['a', 'b', 'c']) emitter.emit('execution.created', ref(id));
    expect(once).toEqual(['a']);
    expect(every).toEqual(['a', 'b', 'c']);
  });

  it('reports when nobody listens once the last once listener has heard its event', () => {
    const emitter = new TypedEmitter(() => undefined);
    emitter.once('execution.created', () => undefined);
    expect(emitter.has('execution.created')).toBe(true);
    emitter.emit('execution.created', ref('a'));
    expect(emitter.has('execution.created')).toBe(false);
  });

  it('off removes a once listener before it hears anything', () => {
    const emitter = new TypedEmitter(() => undefined);
    const heard: string[] = [];
    const listener = (e: { executionId: string }) => heard.push(e.executionId);
    emitter.once('execution.created', listener);
    emitter.off('execution.created', listener);
    emitter.emit('execution.created', ref('a'));
    expect(heard).toEqual([]);
  });

  it('reports a listener that throws and still calls the next one', () => {
    const errors: [string, unknown][] = [];
    const emitter = new TypedEmitter((event, error) => errors.push([event, error]));
    const heard: string[] = [];
    const boom = new Error('listener bug');
    emitter.once('execution.created', () => {
      throw boom;
    });
    emitter.on('execution.created', (e) => heard.push(e.executionId));
    emitter.emit('execution.created', ref('a'));
    emitter.emit('execution.created', ref('b'));
    expect(errors).toEqual([['execution.created', boom]]);
    expect(heard).toEqual(['a', 'b']);
  });

  it('reports a listener whose error cannot be read (its message getter throws) without it, not silently', () => {
    const reported: string[] = [];
    const emitter = new TypedEmitter((_event, error) => {
      // What a logger does with the error: reads its message.
      reported.push((error as Error).message);
    });
    emitter.on('execution.created', () => {
      const unreadable = new Error('m');
      Object.defineProperty(unreadable, 'message', {
        get() {
          throw new Error('getter');
        },
      });
      throw unreadable;
    });
    emitter.emit('execution.created', ref('a'));
    expect(reported).toEqual(['the listener threw an error that could not be read']);
  });

  it('reports an async listener that rejects instead of leaving an unhandled rejection', async () => {
    const errors: [string, unknown][] = [];
    const emitter = new TypedEmitter((event, error) => errors.push([event, error]));
    const heard: string[] = [];
    const boom = new Error('async listener bug');
    emitter.on('execution.created', async () => {
      throw boom;
    });
    emitter.on('execution.created', (e) => heard.push(e.executionId));
    emitter.emit('execution.created', ref('a'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([['execution.created', boom]]);
    expect(heard).toEqual(['a']);
  });

  it('refuses an unknown event name with a ValidationError naming it (on, once and off)', () => {
    const emitter = new TypedEmitter(() => undefined);
    const typo = 'execution.complete' as EventName;
    for (const subscribe of [
      () => emitter.on(typo, () => undefined),
      () => emitter.once(typo, () => undefined),
      () => emitter.off(typo, () => undefined),
    ]) {
      let caught: unknown;
      try {
        subscribe();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).issues[0]?.path).toBe('event');
      expect((caught as ValidationError).message).toContain("'execution.complete'");
      // It lists the names it accepts, the one meant among them.
      expect((caught as ValidationError).message).toContain("'execution.completed'");
    }
    expect(() => emitter.on(Symbol('x') as unknown as EventName, () => undefined)).toThrow(ValidationError);
  });
});

describe('orch.on', () => {
  it("refuses an unknown event and accepts every known one, 'alert' included", async () => {
    const orch = await withOrchestrator({ store: 'memory' });
    expect(() => orch.on('execution.complete' as EventName, () => undefined)).toThrow(
      /Unknown event 'execution\.complete' \(did you mean 'execution\.completed'\?\); expected one of/,
    );
    const names: EventName[] = [
      'execution.created',
      'execution.started',
      'step.started',
      'step.completed',
      'step.failed',
      'step.cancelled',
      'step.decided',
      'execution.compensating',
      'compensation.started',
      'compensation.completed',
      'compensation.failed',
      'execution.completed',
      'execution.failed',
      'execution.cancelled',
      'execution.finished',
      'alert',
    ];
    for (const name of names) {
      const listener = () => undefined;
      expect(() => orch.on(name, listener).once(name, listener).off(name, listener)).not.toThrow();
    }
  });

  it('a listener that throws never breaks an execution, even when logging that fails too', async () => {
    // A logger that throws (a destination closed under it, say) used to turn a throwing listener
    // into a stuck execution, and an async listener's rejection into an unhandled rejection.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const broken = () => {
        throw new Error('the logger is broken');
      };
      const orch = await withOrchestrator({
        logger: { debug: broken, info: broken, warn: broken, error: broken },
        actions: { a: () => 1 },
      });
      orch.on('step.completed', () => {
        throw new Error('sync listener bug');
      });
      orch.on('execution.started', async () => {
        throw new Error('async listener bug');
      });
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b', action: 'a' }]);
      const id = await orch.workflowEngine.executeWorkflow('w');
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
      expect(status).toMatchObject({ status: 'completed', outputData: { a: 1, b: 1 } });
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('listener argument', () => {
  // on('execution.completed', 5) threw Node's raw TypeError ERR_INVALID_ARG_TYPE, not the
  // ValidationError that on('bogus', fn) throws; both now name what is wrong.
  it.each(['on', 'once', 'off'] as const)('%s refuses a listener that is no function', (method) => {
    const emitter = new TypedEmitter(() => undefined);
    for (const listener of [5, null, undefined, {}]) {
      expect(() => emitter[method]('execution.completed', listener as never)).toThrow(ValidationError);
      expect(() => emitter[method]('execution.completed', listener as never)).toThrow(
        /listener: Expected the listener of 'execution\.completed' to be a function/,
      );
    }
  });
});
