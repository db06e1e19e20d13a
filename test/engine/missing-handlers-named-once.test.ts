/**
 * The warning of a process that leaves an execution for want of handlers (README: it "names the
 * workflow version and what is missing") names each missing handler once: a workflow whose steps
 * share an action or a compensation listed it once per step (`action 'work'` twice).
 */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/index.js';
import { tempSqliteUrl, untilAborted, waitForStatus, withOrchestrator } from '../helpers/orchestrator.js';

describe('the warning of a process without the handlers a workflow needs', () => {
  it('names each missing handler once, however many steps use it', async () => {
    const store = tempSqliteUrl();
    const first = await withOrchestrator({
      store,
      actions: { work: () => 'done', hold: (_input, ctx) => untilAborted(ctx.signal) },
      compensations: { undo: () => undefined },
    });
    await first.workflowEngine.defineWorkflow('shared', [
      { name: 'a', action: 'work', compensation: 'undo' },
      { name: 'b', action: 'work', compensation: 'undo' },
      { name: 'c', action: 'hold' },
    ]);
    const id = await first.workflowEngine.executeWorkflow('shared');
    await waitForStatus(first, id, (s) => s.steps[2]?.status === 'running');
    await first.close();

    const warnings: { obj: object; msg: string | undefined }[] = [];
    const quiet = () => undefined;
    const logger: Logger = {
      debug: quiet,
      info: quiet,
      error: quiet,
      warn: (obj, msg) => warnings.push({ obj, msg }),
    };
    const other = await withOrchestrator({ store, logger, actions: { hello: () => 'hi' } });
    expect((await other.workflowEngine.getExecutionStatus(id))?.status).toBe('running');
    const left = warnings.find((w) => w.msg?.startsWith('no handler here'));
    expect(left?.obj).toMatchObject({
      executionId: id,
      missing: ["action 'work'", "compensation 'undo'", "action 'hold'"],
    });
  });
});
