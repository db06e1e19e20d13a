/**
 * docs/scaling.md's "Running several nodes", literally: two `orchestrator serve` processes with
 * the same `--store` URL (one PostgreSQL schema), their own ports, the same token, handlers and
 * workflow folder. Executions submitted through one node's API spread over both; `GET /v1/workers`
 * on either node shows both nodes with their load and last heartbeat, and `orchestrator workers`
 * shows the same from the store; a node killed with SIGKILL has its executions taken over by the
 * other and is no worker any more; a node stopped with SIGTERM leaves the registry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkersReport } from '../../src/cli/reports.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { cli, HANDLERS, parseJson, type RunningCli, startCli } from './fixtures/cli-harness.js';

const TOKEN = 'cluster-test-token-0123456789';

interface WorkersBody {
  workers: { id: string; active: number }[];
  balanced: boolean;
  balanceScore: number;
  nodes: {
    id: string;
    lastHeartbeat: string;
    running: number;
    queued: number;
    alive: boolean;
    self: boolean;
  }[];
}

const running: RunningCli[] = [];
afterEach(() => {
  for (const proc of running.splice(0)) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
});

async function until<T>(probe: () => Promise<T | undefined>, what: () => string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('two serve processes on one PostgreSQL schema', () => {
  it('share the executions and both report the whole cluster in GET /v1/workers', async () => {
    await assertServerReachable();
    const schema = freshSchema();
    const store = `${PG_URL}?schema=${schema}`;
    try {
      const serve = () =>
        startCli(
          [
            'serve',
            '--store',
            store,
            '--port',
            '0',
            '--grace',
            '0',
            '--handlers',
            HANDLERS,
            '--workflows',
            'examples',
          ],
          { ORCHESTRATOR_API_TOKEN: TOKEN },
        );
      const procs = [serve(), serve()];
      running.push(...procs);
      const urls = await Promise.all(
        procs.map(async (p) => (await p.waitFor(/listening on (http:\/\/\S+)/, 30_000))[1]!),
      );
      const call = async (base: string, path: string, body?: unknown) => {
        const res = await fetch(`${base}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(res.ok, `${path}: ${res.status}`).toBe(true);
        return res.json();
      };
      const workers = (base: string) => call(base, '/v1/workers') as Promise<WorkersBody>;

      // Each node lists both, alive, itself once as `self`.
      let last: WorkersBody | undefined;
      const selves: string[] = [];
      for (const base of urls) {
        const body = await until(
          async () => {
            last = await workers(base);
            return last.nodes.length === 2 && last.workers.length === 2 ? last : undefined;
          },
          () => `${base} to see both nodes (last: ${JSON.stringify(last)})`,
        );
        expect(body.nodes.map((n) => n.alive)).toEqual([true, true]);
        expect(body.nodes.filter((n) => n.self)).toHaveLength(1);
        selves.push(body.nodes.find((n) => n.self)!.id);
        expect(body.workers.map((w) => w.id).sort()).toEqual(body.nodes.map((n) => n.id).sort());
      }
      expect(new Set(selves).size).toBe(2);
      const [a, b] = selves as [string, string];

      // Four slow executions submitted through the first node: placed two per node.
      // Slow enough (about 20 s each) to be running still when the test ends.
      const input = { audioUrl: 'https://example.com/hello.wav', userId: 1, latency: 20 };
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push(
          (
            (await call(urls[0]!, '/v1/workflows/voice-transcription/executions', { input })) as {
              id: string;
            }
          ).id,
        );
      }
      for (const base of urls) {
        const body = await until(
          async () => {
            last = await workers(base);
            const loads = Object.fromEntries(last.workers.map((w) => [w.id, w.active]));
            const heartbeats = Object.fromEntries(last.nodes.map((n) => [n.id, n.running + n.queued]));
            const two = (counts: Record<string, number>) => counts[a] === 2 && counts[b] === 2;
            return two(loads) && two(heartbeats) ? last : undefined;
          },
          () => `${base} to show two executions on each node (last: ${JSON.stringify(last)})`,
        );
        expect(body.balanced).toBe(true);
        expect(body.balanceScore).toBe(1);
        for (const n of body.nodes) expect(Date.now() - Date.parse(n.lastHeartbeat)).toBeLessThan(5_000);
      }
      const statuses = (await Promise.all(ids.map((id) => call(urls[1]!, `/v1/executions/${id}`)))) as {
        workerId: string;
      }[];
      expect(statuses.map((s) => s.workerId).sort()).toEqual([a, a, b, b].sort());

      // The CLI reads the same registry from the store.
      const shown = await cli(['--json', 'workers', '--store', store]);
      expect(shown.code, shown.stderr).toBe(0);
      const report = parseJson<WorkersReport>(shown.stdout);
      expect(report.nodes.map((n) => [n.id, n.state, n.executions]).sort()).toEqual(
        [
          [a, 'alive', 2],
          [b, 'alive', 2],
        ].sort(),
      );
      // With the same workers (the nodes), load and balance as GET /v1/workers.
      expect(report.workers.map((w) => [w.id, w.active, w.source]).sort()).toEqual(
        [
          [a, 2, 'node'],
          [b, 2, 'node'],
        ].sort(),
      );
      expect(report).toMatchObject({ balanced: true, balanceScore: 1, threshold: 0.3 });

      // SIGKILL of the second node: the first takes its executions over (on this host, within a
      // sweepInterval), and it is no worker any more — shown not alive, and dead to the CLI.
      procs[1]!.child.kill('SIGKILL');
      await procs[1]!.exited;
      const after = await until(
        async () => {
          last = await workers(urls[0]!);
          const gone = last.workers.length === 1 && last.nodes.find((n) => n.id === b)?.alive === false;
          return gone && last.workers[0]?.id === a && last.workers[0]?.active === 4 ? last : undefined;
        },
        () => `${urls[0]} to show the killed node gone (last: ${JSON.stringify(last)})`,
      );
      expect(after.nodes.map((n) => [n.id, n.alive]).sort()).toEqual(
        [
          [a, true],
          [b, false],
        ].sort(),
      );
      const moved = (await Promise.all(ids.map((id) => call(urls[0]!, `/v1/executions/${id}`)))) as {
        workerId: string;
        status: string;
      }[];
      expect(moved.map((s) => [s.workerId, s.status])).toEqual(ids.map(() => [a, 'running']));
      const dead = await cli(['--json', 'workers', '--store', store]);
      expect(dead.code, dead.stderr).toBe(0);
      const deadReport = parseJson<WorkersReport>(dead.stdout);
      expect(deadReport.nodes.map((n) => [n.id, n.state, n.executions]).sort()).toEqual(
        [
          [a, 'alive', 4],
          [b, 'dead', 0],
        ].sort(),
      );
      expect(deadReport.workers.map((w) => [w.id, w.active, w.source])).toEqual([[a, 4, 'node']]);

      // SIGTERM: the first leaves (its executions released, unfinished, for the next node to start),
      // saying where they go: to the other nodes, not only to its next start.
      procs[0]!.child.kill('SIGTERM');
      const first = await procs[0]!.exited;
      expect(first.code).toBe(0);
      expect(`${first.stdout}${first.stderr}`).toContain(
        'SIGTERM: shutting down (running steps get up to 0s; the rest are released to the other nodes, or resume on the next start)',
      );
      const view = new PostgresStore(PG_URL, { schema, poolSize: 1 });
      try {
        await view.init();
        // The killed node's row stays (shown dead) until it is forgotten; the other removed its own.
        expect((await view.listNodes()).map((n) => n.id)).toEqual([b]);
        expect(await view.countExecutions({ status: 'running' })).toBe(4);
        for (const owner of [a, b]) expect(await view.listOwned(owner, 10)).toEqual([]);
      } finally {
        await view.close();
      }
    } finally {
      await dropSchema(schema);
    }
  }, 60_000);
});
