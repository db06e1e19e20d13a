/**
 * `orch.config.store` is the store URL as given, password included, and printing the
 * orchestrator (`console.log(orch)`, a logger given `{ orch }` or `{ config: orch.config }`, a
 * test runner's diff) showed it at the default depth; `JSON.stringify(orch.config)` too. They now
 * show it masked, while `orch.config.store` still reads as given. The test server trusts every
 * password, so any one opens the store.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from './pg-fixture.js';

const SECRET = 'Pg5ecretForOrchInspect';
const SCHEMA = freshSchema();
const withPassword = new URL(PG_URL);
withPassword.password = SECRET;
withPassword.searchParams.set('schema', SCHEMA);
const URL_WITH_PASSWORD = withPassword.href;

beforeAll(() => assertServerReachable());
afterAll(() => dropSchema(SCHEMA));

describe('an orchestrator on a store URL with a password, printed', () => {
  it('shows the URL masked at any depth and as JSON; config.store reads as given', async () => {
    const orch = await createOrchestrator({ store: URL_WITH_PASSWORD });
    try {
      expect(orch.config.store).toBe(URL_WITH_PASSWORD);
      for (const depth of [0, 1, 2, Number.POSITIVE_INFINITY]) {
        expect(inspect(orch, { depth })).not.toContain(SECRET);
      }
      const shown = inspect(orch.config);
      expect(shown).not.toContain(SECRET);
      expect(shown).toContain('***@');
      expect(shown).toContain('maxConcurrentWorkflows: 100');
      const json = JSON.stringify(orch.config);
      expect(json).not.toContain(SECRET);
      expect(JSON.parse(json)).toMatchObject({
        maxConcurrentWorkflows: 100,
        store: expect.stringContaining('***@'),
      });
      expect({ ...orch.config }.store).toBe(URL_WITH_PASSWORD);
    } finally {
      await orch.close();
    }
  });
});
