/**
 * A program that adds a listener per request and never removes it leaked silently: the emitter
 * set no limit. Past {@link LISTENER_WARNING_LIMIT} listeners on one event the orchestrator's
 * logger now warns, once per event, naming the event and the count.
 */
import { describe, expect, it } from 'vitest';
import { LISTENER_WARNING_LIMIT } from '../../src/events.js';
import { memoryLogger, withOrchestrator } from '../helpers/orchestrator.js';

const noop = () => undefined;

describe('too many listeners on one event', () => {
  it('warns once per event through the logger, naming the event and the count', async () => {
    const logger = memoryLogger();
    const orch = await withOrchestrator({ logger });
    const warnings = () => logger.lines.filter((l) => l.level === 'warn');
    for (let i = 0; i < LISTENER_WARNING_LIMIT; i++) orch.on('step.completed', () => undefined);
    expect(warnings()).toEqual([]);
    orch.once('step.completed', noop);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.obj).toMatchObject({
      event: 'step.completed',
      listeners: LISTENER_WARNING_LIMIT + 1,
    });
    expect(warnings()[0]?.msg).toMatch(/101 listeners on 'step\.completed'/);
    for (let i = 0; i < 200; i++) orch.on('step.completed', () => undefined);
    expect(warnings()).toHaveLength(1);
    // Another event has its own count, and its own warning.
    for (let i = 0; i <= LISTENER_WARNING_LIMIT; i++) orch.on('alert', () => undefined);
    expect(warnings().map((l) => (l.obj as { event: string }).event)).toEqual(['step.completed', 'alert']);
  });

  it('does not warn for listeners that come and go', async () => {
    const logger = memoryLogger();
    const orch = await withOrchestrator({ logger });
    for (let i = 0; i < 1_000; i++) {
      const listener = () => undefined;
      orch.on('execution.finished', listener);
      orch.off('execution.finished', listener);
    }
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
