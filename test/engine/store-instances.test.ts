/**
 * The package exports its durable stores, so a user can pass a configured instance as `store`:
 * a `PostgresStore` with several write lanes and an `SqliteStore` with `synchronous: 'NORMAL'` run
 * workflows like the URL forms do, and bad options fail with a ValidationError naming the option.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, PostgresStore, SqliteStore } from '../../src/index.js';
import { tempDir } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

const steps = [
  { name: 'a', action: 'inc' },
  { name: 'b', action: 'inc' },
];
const actions = { inc: async (input: unknown) => ({ n: ((input as { n?: number }).n ?? 0) + 1 }) };

let orch: Orchestrator | null = null;
let schema: string | null = null;

afterEach(async () => {
  await orch?.close();
  orch = null;
  if (schema) await dropSchema(schema);
  schema = null;
});

async function runSome(store: PostgresStore | SqliteStore): Promise<[string, unknown][]> {
  orch = await createOrchestrator({ store, actions });
  await orch.workflowEngine.defineWorkflow('two', steps);
  const ids = await Promise.all(
    Array.from({ length: 20 }, (_, i) => orch!.workflowEngine.executeWorkflow('two', { n: i })),
  );
  const done = await Promise.all(ids.map((id) => orch!.workflowEngine.waitForCompletion(id)));
  return done.map((s) => [s.status, s.outputData.b]);
}

describe('store instances from the package', () => {
  it('a PostgresStore with three write lanes runs workflows', async () => {
    await assertServerReachable();
    schema = freshSchema();
    const store = new PostgresStore(PG_URL, { schema, writeLanes: 3 });
    expect(store.writeLanes).toBe(3);
    const results = await runSome(store);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => ['completed', { n: i + 1 }]));
  });

  it('an SqliteStore with synchronous NORMAL runs workflows and reports its setting', async () => {
    const store = new SqliteStore(join(tempDir(), 'normal.sqlite'), { synchronous: 'NORMAL' });
    const results = await runSome(store);
    expect(results).toHaveLength(20);
    expect(results.every(([status]) => status === 'completed')).toBe(true);
    expect(store.settings().synchronous).toBe('NORMAL');
  });

  it('refuses bad PostgresStore options with a ValidationError naming the option', () => {
    expect(() => new PostgresStore(PG_URL, { writeLanes: 0 })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION',
        issues: [expect.objectContaining({ path: 'writeLanes' })],
      }),
    );
    expect(() => new PostgresStore(PG_URL, { schema: 'bad schema;' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});
