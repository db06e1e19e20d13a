/**
 * A PostgresStore keeps its connection string, password included: printed by a user's
 * `console.log(store)` or `console.log(orch)`, a logger given `{ store }`, a test runner's diff or
 * `JSON.stringify`, it showed the password (the driver itself hides a password it is given apart).
 * It now shows its kind, schema and URL with the password masked. The test server trusts every
 * password, so any one opens the store.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from './pg-fixture.js';

const SECRET = 'Pg5ecretForInspect';
const SCHEMA = freshSchema();
const withPassword = new URL(PG_URL);
withPassword.password = SECRET;
const URL_WITH_PASSWORD = withPassword.href;

beforeAll(() => assertServerReachable());
afterAll(() => dropSchema(SCHEMA));

function shown(value: unknown): string {
  return `${inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: false })}\n${JSON.stringify(value)}`;
}

describe('a PostgresStore printed', () => {
  it('before and after it opens, alone and inside an orchestrator, shows no password', async () => {
    const store = new PostgresStore(URL_WITH_PASSWORD, { schema: SCHEMA });
    expect(shown(store)).not.toContain(SECRET);
    expect(inspect(store)).toBe(
      `PostgresStore { url: "${URL_WITH_PASSWORD.replace(/\/\/.*@/, '//***@')}", schema: "${SCHEMA}" }`,
    );
    const orch = await createOrchestrator({ store });
    try {
      expect(shown(store)).not.toContain(SECRET);
      expect(inspect(orch, { depth: Number.POSITIVE_INFINITY })).not.toContain(SECRET);
    } finally {
      await orch.close();
    }
  });
});
