/** The workflow and handler both sides of `skewed-clock-node.test.ts` run. */
import type { ActionHandler } from '../../src/types.js';

/** Three steps of 300 ms each. */
export const chain = [
  { name: 's1', action: 'step' },
  { name: 's2', action: 'step' },
  { name: 's3', action: 'step' },
];

/** A `step` handler that records each run (`<execution> <step>\n`) and takes 300 ms. */
export function stepRunner(record: (line: string) => void): ActionHandler {
  return async (_input, ctx) => {
    record(`${ctx.executionId} ${ctx.stepName}\n`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return ctx.stepName;
  };
}
