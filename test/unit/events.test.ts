/**
 * The typed emitter behind `orch.on` / `orch.once` / `orch.off`: a `once` listener hears one
 * event and is gone; a listener that throws is reported and does not stop the others.
 */
import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../src/events.js';

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
});
