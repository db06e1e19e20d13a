/**
 * PostgreSQL-only behaviour: LISTEN/NOTIFY wake-up hints (and their listener surviving a killed
 * connection), and `openStore` with PostgreSQL URLs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { hintOf } from '../../src/store/postgres/listener.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { WorkHint } from '../../src/store/store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from './pg-fixture.js';
import { makeExecution } from './records.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function open(name: string): Promise<PostgresStore> {
  const store = new PostgresStore(PG_URL, { schema: name, poolSize: 2 });
  cleanups.push(() => store.close());
  await store.init();
  return store;
}

function schema(): string {
  const name = freshSchema();
  cleanups.push(() => dropSchema(name));
  return name;
}

/** Counts wake-ups and keeps their hints; `next()` resolves at the next one. */
function wakeups() {
  let count = 0;
  let waiters: (() => void)[] = [];
  const hints: WorkHint[] = [];
  return {
    onNotify: (hint: WorkHint) => {
      count++;
      hints.push(hint);
      for (const resolve of waiters.splice(0)) resolve();
    },
    get count() {
      return count;
    },
    hints,
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
    reset() {
      count = 0;
      waiters = [];
      hints.length = 0;
    },
  };
}

/** Polls `probe` (every 20 ms, up to 10 s) until it returns a value that is not undefined. */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Two stores on a fresh schema: `listener` subscribed (wake-ups counted in `woken`), `writer` not. */
async function listening() {
  const name = schema();
  const listener = await open(name);
  const writer = await open(name);
  const woken = wakeups();
  await listener.subscribe('work', woken.onNotify);
  return { listener, writer, woken };
}

async function listenerPid(name: string): Promise<number | undefined> {
  const result = await withClient((client) =>
    client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
      [`orchestrator-listen:${name}`],
    ),
  );
  return result.rows[0]?.pid;
}

describe('PostgreSQL store: wake-up hints', () => {
  it("wakes a subscriber when another node creates or releases work on the schema, not on other schemas'", async () => {
    const name = schema();
    const listener = await open(name);
    const writer = await open(name);
    const elsewhere = await open(schema());
    const woken = wakeups();
    const unsubscribe = await listener.subscribe('work', woken.onNotify);

    let next = woken.next();
    await elsewhere.createExecution(makeExecution({ id: 'other' }));
    await writer.createExecution(makeExecution({ id: 'a', status: 'running', owner: 'w', leaseUntil: 1 }));
    await next;
    // Notifications arrive in commit order: had the other schema's woken us, it would count too.
    next = woken.next();
    await writer.releaseLeases('w');
    await next;
    expect(woken.count).toBe(2);
    // A creation says on which node work was placed (that node adopts it); a release asks for a
    // whole round.
    expect(woken.hints).toEqual([{ kind: 'placed', owner: 'w' }, { kind: 'any' }]);

    await unsubscribe();
    await until(async () => ((await listenerPid(name)) === undefined ? true : undefined));
  });

  it("a store's own writes wake none of its subscribers (its node knows them); another store's do", async () => {
    const { listener: self, writer: other, woken } = await listening();
    const next = woken.next();
    await self.createExecution(makeExecution({ id: 'mine', status: 'running', owner: 'n', leaseUntil: 1 }));
    await self.releaseLeases('n');
    await other.createExecution(makeExecution({ id: 'theirs' }));
    await next;
    // Notifications arrive in commit order: had the own ones woken us, they would count too.
    expect(woken.count).toBe(1);
  });

  it('the listener reconnects after its connection is killed, wakes everyone once, and listens again', async () => {
    const name = schema();
    const store = await open(name);
    const woken = wakeups();
    await store.subscribe('work', woken.onNotify);
    const pid = await until(() => listenerPid(name));
    const reconnected = woken.next();
    await withClient((client) => client.query('SELECT pg_terminate_backend($1)', [pid]));
    await reconnected;
    // Hints may have been missed while it was away: the whole round.
    expect(woken.hints).toEqual([{ kind: 'any' }]);
    const newPid = await until(() => listenerPid(name));
    expect(newPid).not.toBe(pid);

    woken.reset();
    const next = woken.next();
    const other = await open(name);
    await other.createExecution(makeExecution({ id: 'after', owner: 'n2' }));
    await next;
    expect(woken.count).toBe(1);
    expect(woken.hints).toEqual([{ kind: 'placed', owner: 'n2' }]);
    // The store itself kept working throughout.
    expect(await store.countExecutions({})).toBe(1);
  });

  it('an unowned creation asks for a whole round; a flush placing on two nodes tells each', async () => {
    const { writer, woken } = await listening();
    let next = woken.next();
    await writer.createExecution(makeExecution({ id: 'unowned' }));
    await next;
    expect(woken.hints).toEqual([{ kind: 'any' }]);
    woken.reset();
    next = woken.next();
    // Created in the same tick: one flush, one transaction, one notice per node placed on.
    await Promise.all([
      writer.createExecution(makeExecution({ id: 'p1', owner: 'n1' })),
      writer.createExecution(makeExecution({ id: 'p2', owner: 'n2' })),
      writer.createExecution(makeExecution({ id: 'p3', owner: 'n1' })),
    ]);
    await next;
    await until(async () => (woken.count === 2 ? true : undefined));
    expect([...woken.hints].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { kind: 'placed', owner: 'n1' },
      { kind: 'placed', owner: 'n2' },
    ]);
  });

  it('a node placing executions on itself wakes nobody; in a flush with placements on others, only those', async () => {
    const { writer, woken } = await listening();
    let next = woken.next();
    await writer.createExecution(makeExecution({ id: 'mine', owner: 'w' }), undefined, { placedHere: true });
    await writer.createExecution(makeExecution({ id: 'theirs', owner: 'n1' }));
    await next;
    // Notices arrive in commit order: had the first create sent one, it would come first.
    expect(woken.hints).toEqual([{ kind: 'placed', owner: 'n1' }]);
    woken.reset();
    next = woken.next();
    // One flush: its notice names n2 only.
    await Promise.all([
      writer.createExecution(makeExecution({ id: 'mine2', owner: 'w' }), undefined, { placedHere: true }),
      writer.createExecution(makeExecution({ id: 'theirs2', owner: 'n2' })),
    ]);
    await next;
    await writer.createExecution(makeExecution({ id: 'mine3', owner: 'w' }), undefined, { placedHere: true });
    await writer.releaseLeases('w');
    await until(async () => (woken.count === 2 ? true : undefined));
    expect(woken.hints).toEqual([{ kind: 'placed', owner: 'n2' }, { kind: 'any' }]);
    // An unowned execution wakes every node whatever its placement says.
    woken.reset();
    next = woken.next();
    await writer.createExecution(makeExecution({ id: 'unowned' }), undefined, { placedHere: true });
    await next;
    expect(woken.hints).toEqual([{ kind: 'any' }]);
  });

  it('reads hints from payloads: placements by node, releases, and the bare schema of earlier versions', () => {
    expect(hintOf('s_1', 's_1')).toEqual({ kind: 'placed' });
    expect(hintOf('s_1:placed:vm~1/2/ab', 's_1')).toEqual({ kind: 'placed', owner: 'vm~1/2/ab' });
    expect(hintOf('s_1:released', 's_1')).toEqual({ kind: 'any' });
    expect(hintOf('s_12:released', 's_1')).toBeNull();
    expect(hintOf('s_1:something', 's_1')).toBeNull();
    expect(hintOf('other', 's_1')).toBeNull();
  });

  it('refuses unknown channels and subscriptions before init', async () => {
    const store = new PostgresStore(PG_URL, { schema: freshSchema() });
    await expect(store.subscribe('work', () => undefined)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    const open_ = await open(schema());
    await expect(open_.subscribe('jobs' as 'work', () => undefined)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});

describe('openStore with PostgreSQL URLs', () => {
  it('postgres:// and postgresql:// open a PostgresStore; ?schema= picks the schema and is stripped', async () => {
    const name = schema();
    const withSchema = openStore(`${PG_URL}?schema=${name}&application_name=x`) as PostgresStore;
    expect(withSchema).toBeInstanceOf(PostgresStore);
    expect(withSchema.schema).toBe(name);
    expect((withSchema as unknown as { url: string }).url).toBe(`${PG_URL}?application_name=x`);
    cleanups.push(() => withSchema.close());
    await withSchema.init();
    await withSchema.createExecution(makeExecution({ id: 'via-url' }));
    const plain = openStore(PG_URL.replace(/^postgres:/, 'postgresql:')) as PostgresStore;
    expect(plain.schema).toBe('orchestrator');
    expect(plain.kind).toBe('postgres');
    expect(plain.durable).toBe(true);
  });

  it('a bad schema name is a ValidationError naming `store`', () => {
    expect(() => openStore(`${PG_URL}?schema=bad-name;drop`)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', issues: [expect.objectContaining({ path: 'store' })] }),
    );
  });

  it('an unreachable server fails init with STORE_UNAVAILABLE and no password in the message', async () => {
    const store = new PostgresStore('postgres://postgres:secret@127.0.0.1:1/test', { schema: freshSchema() });
    const error = await store.init().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(String((error as Error).message)).not.toContain('secret');
    await store.close();
  });
});
