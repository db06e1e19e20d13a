/**
 * End to end: `orchestrator serve` as a real process on a temporary SQLite store, driven over
 * HTTP with fetch — define a workflow, run it to completion, cancel another, scrape metrics —
 * then SIGTERM and a clean exit. The token comes from the environment and never reaches a log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { gate } from '../helpers/orchestrator.js';
import { startServer } from '../unit/actions/local-server.js';
import { startCli } from './fixtures/cli-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TOKEN = 'e2e-token-5f2a9c1b7d3e';
const dir = mkdtempSync(join(tmpdir(), 'orch-serve-'));
let child: ChildProcess | null = null;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const HANDLERS = `
export const actions = {
  greet: (input) => ({ hello: input && input.name ? input.name : 'nobody' }),
  wait: (_input, ctx) => new Promise((_resolve, reject) => {
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    process.stdout.write('waiting in ' + ctx.executionId + '\\n');
  }),
};
export const compensations = { undo: () => undefined };
`;

/**
 * Runs `serve` with `args` (API token set), expecting it to refuse to start: its exit code and
 * stderr. Fails when it listens instead; the process is killed either way.
 */
async function refusedServe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const running = startCli(['serve', '--port', '0', ...args], { ORCHESTRATOR_API_TOKEN: TOKEN });
  try {
    const listening = running.waitFor(/listening/, 20_000).then(() => 'listening' as const);
    const outcome = await Promise.race([running.exited, listening]);
    expect(outcome, 'serve started instead of refusing').not.toBe('listening');
    return await running.exited;
  } finally {
    if (running.child.exitCode === null) running.child.kill('SIGKILL');
  }
}

function writeFixtures(): void {
  writeFileSync(join(dir, 'handlers.mjs'), HANDLERS);
  mkdirSync(join(dir, 'workflows'));
  writeFileSync(
    join(dir, 'workflows', 'waiter.json'),
    JSON.stringify({
      id: 'waiter',
      steps: [{ name: 'first', action: 'greet', compensation: 'undo' }, { name: 'wait' }],
    }),
  );
  writeFileSync(join(dir, 'workflows', 'notes.txt'), 'not a definition');
}

/**
 * Resolves with the first truthy value of `check`, called now and whenever `proc` writes to stdout
 * or stderr (after the test's own listeners kept what it wrote); fails naming `what` once `proc`
 * exited, or after `ms`.
 */
function fromOutput<T>(
  proc: ChildProcess,
  check: () => T | null | undefined | false,
  what: () => string,
  ms = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      proc.stdout?.off('data', look);
      proc.stderr?.off('data', look);
      proc.off('exit', exited);
    };
    const exited = () => {
      done();
      reject(new Error(`exited while waiting for ${what()}`));
    };
    const look = () => {
      const value = check();
      if (!value) return;
      done();
      resolve(value);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what()}`));
    }, ms);
    proc.stdout?.on('data', look);
    proc.stderr?.on('data', look);
    proc.on('exit', exited);
    look();
  });
}

/**
 * The API tells no one when an execution ends: its status is read until `check` holds (the only
 * polled wait here); fails naming `what` after `ms`.
 */
async function polled<T>(check: () => Promise<T | null>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('orchestrator serve (real process)', () => {
  it('serves the API, runs and cancels executions, and exits cleanly on SIGTERM', async () => {
    writeFixtures();
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'serve',
        '--port',
        '0',
        '--store',
        `sqlite:${join(dir, 'store.sqlite')}`,
        '--handlers',
        join(dir, 'handlers.mjs'),
        '--workflows',
        join(dir, 'workflows'),
        '--grace',
        '2',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, ORCHESTRATOR_API_TOKEN: TOKEN, ORCHESTRATOR_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (d) => {
      stdout += d;
    });
    proc.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.on('exit', (code, signal) => resolve({ code, signal })),
    );

    // The whole banner (its lines may arrive in more than one chunk).
    const base = await fromOutput(
      proc,
      () =>
        stdout.includes('Ctrl-C stops')
          ? /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1]
          : undefined,
      () => `banner\n${stderr}`,
    );
    expect(stdout).toContain('API token: from ORCHESTRATOR_API_TOKEN');
    expect(stdout).toContain('1 workflows loaded');
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const api = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, { ...init, headers: { ...auth, ...init.headers } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/v1/workflows`)).status).toBe(401);

    const defined = await api('/v1/workflows', {
      method: 'POST',
      body: JSON.stringify({ id: 'hello', steps: [{ name: 'greet' }] }),
    });
    expect(defined).toMatchObject({ status: 201, body: { id: 'hello', version: 1 } });
    const listed = await api('/v1/workflows');
    expect((listed.body.workflows as Array<{ id: string }>).map((w) => w.id).sort()).toEqual([
      'hello',
      'waiter',
    ]);

    const started = await api('/v1/workflows/hello/executions', {
      method: 'POST',
      body: JSON.stringify({ input: { name: 'Ada' } }),
    });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    const done = await polled(async () => {
      const s = await api(`/v1/executions/${id}`);
      return s.body.status === 'completed' ? s.body : null;
    }, 'completion');
    expect(done).toMatchObject({ outputData: { greet: { hello: 'Ada' } }, stepsCompleted: 1 });

    const waiting = (await api('/v1/workflows/waiter/executions', { method: 'POST', body: '{}' })).body
      .id as string;
    // Its handler tells when it runs.
    await fromOutput(
      proc,
      () => stdout.includes(`waiting in ${waiting}\n`),
      () => `the waiting step\n${stderr}`,
    );
    expect(await api(`/v1/executions/${waiting}/cancel`, { method: 'POST' })).toEqual({
      status: 200,
      body: { cancelled: true },
    });
    expect((await api(`/v1/executions/${waiting}`)).body).toMatchObject({
      status: 'cancelled',
      compensatedSteps: ['first'],
    });

    const metrics = await fetch(`${base}/metrics`, { headers: auth });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('orchestrator_executions_finished_total{workflow="hello",status="completed"} 1');
    expect(text).toContain('orchestrator_executions_finished_total{workflow="waiter",status="cancelled"} 1');

    // One more execution left running: SIGTERM gives it the grace period, then exits cleanly
    // and leaves it in the store for the next start.
    const left = (await api('/v1/workflows/waiter/executions', { method: 'POST', body: '{}' })).body
      .id as string;
    await fromOutput(
      proc,
      () => stdout.includes(`waiting in ${left}\n`),
      () => `the last waiting step\n${stderr}`,
    );
    const stopAt = Date.now();
    proc.kill('SIGTERM');
    const exit = await exited;
    expect(exit, stderr).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopAt).toBeGreaterThanOrEqual(1900);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
    const store = new SqliteStore(join(dir, 'store.sqlite'));
    await store.init();
    const kept = await store.getExecution(left);
    await store.close();
    expect(kept?.execution.status).toBe('running');
    expect(stderr).toContain('shutting down');
    expect(stderr).toContain('"msg":"stopped"');
    expect(stderr + stdout).not.toContain(TOKEN);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('prints a generated token once, posts alerts to the webhook, and stops on SIGINT', async () => {
    const alerted = gate();
    const receiver = await startServer({
      '/alerts': (_req, res) => {
        res.writeHead(204).end();
        alerted.open();
      },
    });
    const root = mkdtempSync(join(tmpdir(), 'orch-serve2-'));
    writeFileSync(
      join(root, 'handlers.mjs'),
      'export const actions = { boom: () => { throw new Error("no"); } };',
    );
    writeFileSync(join(root, 'config.json'), JSON.stringify({ alerts: { failureRate: 0.1, minSamples: 1 } }));
    const env: NodeJS.ProcessEnv = { ...process.env, ORCHESTRATOR_LOG_LEVEL: 'info' };
    delete env.ORCHESTRATOR_API_TOKEN;
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'serve',
        '--port',
        '0',
        '--store',
        'memory',
        '--handlers',
        join(root, 'handlers.mjs'),
        '--config',
        join(root, 'config.json'),
        '--alert-webhook',
        `http://hook-user:hook-pass@127.0.0.1:${receiver.port}/alerts`,
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (d) => {
      stdout += d;
    });
    proc.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    try {
      const base = await fromOutput(
        proc,
        () =>
          stdout.includes('Ctrl-C stops')
            ? /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1]
            : undefined,
        () => `banner\n${stderr}`,
      );
      const token = /API token: (\S+) {3}\(generated/.exec(stdout)?.[1];
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const post = (path: string, body: unknown) =>
        fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect((await post('/v1/workflows', { id: 'broken', steps: [{ name: 'boom' }] })).status).toBe(201);
      expect((await post('/v1/workflows/broken/executions', {})).status).toBe(202);
      await alerted.promise; // the alert webhook was called
      expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
        type: 'failure_rate',
        workflowId: 'broken',
      });
      const alerts = await fetch(`${base}/v1/alerts`, { headers });
      expect(((await alerts.json()) as { alerts: unknown[] }).alerts).toHaveLength(1);
      proc.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout.split(token!).length - 1).toBe(2);
      expect(stderr).not.toContain(token!);
      expect(stderr).not.toContain('hook-pass');
      expect(stderr).toContain(`"webhook":"http://127.0.0.1:${receiver.port}"`);
    } finally {
      await receiver.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('picks the store as SPEC §2 says: a --config with enableWorkflowPersistence false means memory, before ORCHESTRATOR_STORE', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-serve3-'));
    writeFileSync(join(root, 'config.json'), JSON.stringify({ enableWorkflowPersistence: false }));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ORCHESTRATOR_API_TOKEN: TOKEN,
      ORCHESTRATOR_STORE: `sqlite:${join(root, 'env.sqlite')}`,
    };
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--json', 'serve', '--port', '0', '--config', join(root, 'config.json')],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let stdout = '';
    proc.stdout?.on('data', (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    try {
      const banner = await fromOutput(
        proc,
        () => {
          try {
            return JSON.parse(stdout) as { url: string; store: string };
          } catch {
            return undefined;
          }
        },
        () => 'the JSON banner',
      );
      expect(banner.store).toBe('memory');
      const res = await fetch(`${banner.url}/v1/workers`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(root, 'env.sqlite'))).toBe(false);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a --workflows folder where two files define the same id, naming both (exit 2)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-serve-dup-'));
    const folder = join(root, 'workflows');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.json'), JSON.stringify({ id: 'same', steps: [{ name: 'noop' }] }));
    writeFileSync(join(folder, 'b.json'), JSON.stringify({ id: 'other', steps: [{ name: 'noop' }] }));
    writeFileSync(
      join(folder, 'c.json'),
      JSON.stringify({ id: 'same', steps: [{ name: 'noop' }, { name: 'again', action: 'noop' }] }),
    );
    try {
      const { code, stderr } = await refusedServe(['--store', 'memory', '--workflows', folder]);
      expect(code).toBe(2);
      expect(stderr).toContain(
        `error: workflows folder '${folder}': workflow 'same' is defined by both a.json and c.json`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('points a --workflows folder that uses actions no handler serves at --remote-actions too (exit 2)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-serve-remote-'));
    const folder = join(root, 'workflows');
    mkdirSync(folder);
    writeFileSync(join(folder, 'v.json'), JSON.stringify({ id: 'v', steps: [{ name: 'a', action: 'stt' }] }));
    const running = startCli(['serve', '--port', '0', '--store', 'memory', '--workflows', folder], {
      ORCHESTRATOR_API_TOKEN: TOKEN,
    });
    try {
      const { code, stderr } = await running.exited;
      expect(code).toBe(2);
      expect(stderr).toContain("no handler for action 'stt' (steps[0])");
      expect(stderr).toContain('pass --handlers <module>');
      expect(stderr).toContain('--remote-actions');
    } finally {
      if (running.child.exitCode === null) running.child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.each([
    ['a string', '"internal"'],
    ['a number', '5'],
  ])(
    'refuses a --config httpAllowlist that is %s, naming the key (exit 2), instead of splitting it into characters',
    async (_kind, value) => {
      const root = mkdtempSync(join(tmpdir(), 'orch-serve-allow-'));
      const config = join(root, 'config.json');
      writeFileSync(config, `{"httpAllowlist": ${value}}`);
      try {
        const { code, stderr } = await refusedServe([
          '--store',
          'memory',
          '--config',
          config,
          '--http-allow',
          '10.0.0.1',
        ]);
        expect(code).toBe(2);
        expect(stderr).toContain('httpAllowlist');
        expect(stderr).not.toContain('is not iterable');
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it('refuses a --config file whose keys the orchestrator refuses, naming the file (exit 2)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-serve-bad-config-'));
    const config = join(root, 'config.json');
    writeFileSync(config, '{"workers": [5], "wrokers": ["a"]}');
    try {
      const { code, stderr } = await refusedServe(['--store', 'memory', '--config', config]);
      expect(code).toBe(2);
      expect(stderr).toContain(`config file '${config}': Invalid config: `);
      expect(stderr).toContain('workers[0]: ');
      expect(stderr).toContain("unknown key 'wrokers' (did you mean 'workers'?)");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses --config keys a config file cannot give (actions, logger, ...), naming each and where it comes from (exit 2)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-serve-keys-'));
    const config = join(root, 'config.json');
    writeFileSync(config, '{"maxConcurrentWorkflows": 5, "actions": {}, "logger": {"level": "debug"}}');
    try {
      const { code, stderr } = await refusedServe(['--store', 'memory', '--config', config]);
      expect(code).toBe(2);
      expect(stderr).toContain("'actions' cannot be set in a config file (the actions come from --handlers");
      // Where its logs go: stderr (the default destination, fd 2), as the README says; stdout has the banner.
      expect(stderr).toContain("'logger' cannot be set in a config file (serve logs JSON lines to stderr;");
      expect(stderr).not.toContain('maxConcurrentWorkflows');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses an ORCHESTRATOR_API_TOKEN no Authorization header can carry, naming the variable (exit 2, --json)', async () => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--json', 'serve', '--port', '0', '--store', 'memory'],
      {
        cwd: ROOT,
        env: { ...process.env, ORCHESTRATOR_API_TOKEN: 'my secret token' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let stdout = '';
    proc.stdout?.on('data', (d) => {
      stdout += d;
    });
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    const error = (JSON.parse(stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(/ORCHESTRATOR_API_TOKEN/);
    expect(error.message).not.toContain('my secret token');
  });
});
