/**
 * The execution page caps the JSON it renders: each value at 64 Ki characters, the page's values
 * together at EXECUTION_PAGE_JSON_LIMIT (input and output first, then the steps' outputs). What is
 * cut or left out says so and where the whole value is: GET /v1/executions/:id and its place there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EXECUTION_PAGE_JSON_LIMIT, JSON_DISPLAY_LIMIT } from '../../src/server/dashboard/format.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, setup, signedInCookie, start } from './helpers.js';

afterEach(closeAll);

const STEPS = 30;
const OUTPUT = 'x'.repeat(60_000);

describe('execution page size', () => {
  it('renders at most the page budget of JSON, saying what was cut and where the whole value is', async () => {
    const f = await setup({
      app: { plugins: [createDashboard()] },
      orchestrator: { actions: { big: () => OUTPUT } },
    });
    await define(
      f,
      'many',
      Array.from({ length: STEPS }, (_, i) => ({ name: `s${i}`, action: 'big' })),
    );
    const id = await start(f, 'many', { input: { small: 'input' } });
    await f.orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    const cookie = await signedInCookie(f);
    for (const url of [`/executions/${id}`, `/ui/executions/${id}`]) {
      const res = await f.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
      // All 30 outputs whole would be 1.8 M characters.
      expect(res.body.length, url).toBeLessThan(EXECUTION_PAGE_JSON_LIMIT + 200_000);
      // The input (small) is whole; the output (30 × 60,000) is cut at the per-value limit.
      expect(res.body).toContain('<span class="j-key">&quot;small&quot;</span>');
      expect(res.body).toContain(
        `cut at ${JSON_DISPLAY_LIMIT} characters; the whole value: GET /v1/executions/${id} → outputData`,
      );
      // The last steps' outputs are left out, each saying where to read it.
      expect(res.body).toContain(
        `not shown: this page already shows ${EXECUTION_PAGE_JSON_LIMIT} characters of JSON; the whole value: GET /v1/executions/${id} → steps[${STEPS - 1}].output`,
      );
      // The first step's output is shown whole.
      expect(res.body).toContain(`<span class="j-str">&quot;${OUTPUT}&quot;</span>`);
    }
  });
});
