/**
 * A resumed execution stores the start of its next step (or compensation) before it calls the
 * handler (so a handler that takes its process down counts as interrupted). A `close` that comes
 * while that write is under way must not let the handler start once the write commits: from the
 * moment `close()` is called no step and no compensation starts; the execution resumes there on
 * the next start. (Found by the saga crash fuzz test, test/recovery/saga-fuzz.test.ts.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, NonRetryableError } from '../../src/index.js';
import { holdingStore } from '../helpers/holding-store.js';
import { tempDir, untilAborted } from '../helpers/orchestrator.js';

const SAGA = [{ name: 'book', compensation: 'unbook' }, { name: 'pay' }];

describe.each([0, 5])('close({ grace: %s }) while a resumed execution stores a start', (grace) => {
  it('does not start the step once the write commits; the next start runs it', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const calls: string[] = [];
    const first = await createOrchestrator({
      store: `sqlite:${file}`,
      actions: {
        book: (_input, ctx) => {
          calls.push('first');
          return untilAborted(ctx.signal);
        },
        pay: () => 'paid',
      },
      compensations: { unbook: () => undefined },
    });
    await first.workflowEngine.defineWorkflow('w', SAGA);
    const started = new Promise<void>((resolve) => first.once('step.started', () => resolve()));
    const id = await first.workflowEngine.executeWorkflow('w');
    await started;
    await first.close();

    const { store, reached, release } = holdingStore(file, (u) =>
      (u.steps ?? []).some((s) => s.name === 'book' && s.status === 'running'),
    );
    const second = await createOrchestrator({
      store,
      actions: { book: () => calls.push('second'), pay: () => 'paid' },
      compensations: { unbook: () => undefined },
    });
    await reached;
    const closing = second.close({ grace });
    release();
    await closing;
    expect(calls).toEqual(['first']);

    const third = await createOrchestrator({
      store: `sqlite:${file}`,
      actions: { book: () => calls.push('third'), pay: () => 'paid' },
      compensations: { unbook: () => undefined },
    });
    const status = await third.workflowEngine.waitForCompletion(id, { timeout: 10 });
    await third.close();
    expect(status.status).toBe('completed');
    expect(calls).toEqual(['first', 'third']);
  });

  it('does not start the compensation once the write commits; the next start runs it', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const undone: string[] = [];
    const first = await createOrchestrator({
      store: `sqlite:${file}`,
      actions: {
        book: () => 'booked',
        pay: () => {
          throw new NonRetryableError('declined', { code: 'DECLINED' });
        },
      },
      compensations: {
        unbook: (_output, ctx) => {
          undone.push('first');
          return untilAborted(ctx.signal);
        },
      },
    });
    await first.workflowEngine.defineWorkflow('w', SAGA);
    const started = new Promise<void>((resolve) => first.once('compensation.started', () => resolve()));
    const id = await first.workflowEngine.executeWorkflow('w');
    await started;
    await first.close();

    const { store, reached, release } = holdingStore(file, (u) =>
      (u.steps ?? []).some((s) => s.name === 'book' && s.compensation?.status === 'running'),
    );
    const second = await createOrchestrator({
      store,
      actions: { book: () => 'booked', pay: () => 'paid' },
      compensations: { unbook: () => undone.push('second') },
    });
    await reached;
    const closing = second.close({ grace });
    release();
    await closing;
    expect(undone).toEqual(['first']);

    const third = await createOrchestrator({
      store: `sqlite:${file}`,
      actions: { book: () => 'booked', pay: () => 'paid' },
      compensations: { unbook: () => undone.push('third') },
    });
    const status = await third.workflowEngine.waitForCompletion(id, { timeout: 10 });
    await third.close();
    expect(status).toMatchObject({ status: 'failed', compensatedSteps: ['book'] });
    expect(undone).toEqual(['first', 'third']);
  });
});
