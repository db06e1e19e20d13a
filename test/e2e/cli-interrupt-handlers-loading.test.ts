/**
 * SIGINT or SIGTERM while `run` or `serve` is still starting stops it there, exit 130, before it
 * defines, runs or serves anything. While its handlers module loads, the load is not waited for
 * (it used to be, then the store was opened and the workflow defined; `serve` even listened,
 * printed its token and exited 0) and the store is never opened; while its store opens, the store
 * is closed again as soon as it is open, nothing defined.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type CliResult, parseJson, startCli, tempStore } from './fixtures/cli-harness.js';

const SLOW = 'test/e2e/fixtures/slow-self-interrupt-handlers.ts';
const STORE_OPEN = 'test/e2e/fixtures/store-open-self-interrupt-handlers.ts';
const DEFINE = 'test/e2e/fixtures/define-self-interrupt-handlers.ts';
const NOOP = 'test/e2e/fixtures/cli-noop.json';

/** A store for one test, deleted after it. */
function store(): ReturnType<typeof tempStore> {
  const s = tempStore();
  onTestFinished(() => s.remove());
  return s;
}

/**
 * Runs the CLI to its end, killed after 20 s: the slow handlers module loads for a minute, and a
 * CLI that waits for it would otherwise outlive the test.
 */
async function finished(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const running = startCli(args, env);
  const guard = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
  try {
    return await running.exited;
  } finally {
    clearTimeout(guard);
  }
}

/** A folder of one workflow definition (`noop`) in `s`'s folder, for `serve --workflows`. */
function workflowDir(s: ReturnType<typeof tempStore>): string {
  const dir = join(s.dir, 'workflows');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'noop.json'),
    JSON.stringify({ id: 'noop', steps: [{ name: 'a', action: 'noop' }] }),
  );
  return dir;
}

/** `serve` of a `--workflows` folder in `s` with the `handlers` module, after the `global` options. */
function serveWorkflows(
  s: ReturnType<typeof tempStore>,
  handlers: string,
  global: string[],
): Promise<CliResult> {
  const dir = workflowDir(s);
  return finished([
    ...global,
    'serve',
    '--port',
    '0',
    '--workflows',
    dir,
    '--handlers',
    handlers,
    '--store',
    s.url,
  ]);
}

/** The definitions and executions a SQLite store holds. */
async function contents(file: string): Promise<{ definitions: number; executions: number }> {
  const s = new SqliteStore(file);
  await s.init();
  try {
    return { definitions: (await s.listDefinitions()).length, executions: await s.countExecutions({}) };
  } finally {
    await s.close();
  }
}

const BEFORE_STORE = 'stopped before opening the store, with nothing done';

describe('a signal while the handlers module loads', () => {
  it('run --json: exits 130 with an INTERRUPTED document, the store never opened', async () => {
    const s = store();
    const r = await finished(['--json', 'run', NOOP, '--handlers', SLOW, '--store', s.url]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(parseJson<{ error: unknown }>(r.stdout).error).toEqual({
      code: 'INTERRUPTED',
      message: `interrupted (SIGINT) while run was starting: ${BEFORE_STORE}`,
    });
    expect(existsSync(s.file)).toBe(false);
  });

  it('run, SIGTERM: exits 130 naming it, nothing on stdout', async () => {
    const s = store();
    const r = await finished(['run', NOOP, '--handlers', SLOW, '--store', s.url], { SELF_SIGNAL: 'SIGTERM' });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stderr).toBe(`error: interrupted (SIGTERM) while run was starting: ${BEFORE_STORE}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(s.file)).toBe(false);
  });

  it('serve: exits 130 without listening, the store never opened', async () => {
    const s = store();
    const r = await finished(['serve', '--port', '0', '--handlers', SLOW, '--store', s.url]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stderr).toBe(`error: interrupted (SIGINT) while serve was starting: ${BEFORE_STORE}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(s.file)).toBe(false);
  });
});

describe('a signal while the store opens', () => {
  it('run: exits 130 once the store is open, with no workflow defined and no execution', async () => {
    const s = store();
    const r = await finished(['run', NOOP, '--handlers', STORE_OPEN, '--store', s.url]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^\ninterrupted: closing\. Unfinished executions stay in the store/);
    expect(await contents(s.file)).toEqual({ definitions: 0, executions: 0 });
  });

  it('serve --json: exits 130 without listening, its --workflows not defined', async () => {
    const s = store();
    const r = await serveWorkflows(s, STORE_OPEN, ['--json']);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(parseJson<{ error: unknown }>(r.stdout).error).toEqual({
      code: 'INTERRUPTED',
      message:
        'interrupted (SIGINT) while serve was starting: stopped before listening; unfinished executions resume on the next start',
    });
    expect(await contents(s.file)).toEqual({ definitions: 0, executions: 0 });
  });
});

describe('a signal while serve defines its workflows', () => {
  it('exits 130 without listening or printing a token', async () => {
    const s = store();
    const r = await serveWorkflows(s, DEFINE, []);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('orchestrator listening');
    expect(r.stderr).toContain(
      'error: interrupted (SIGINT) while serve was starting: stopped before listening; unfinished executions resume on the next start\n',
    );
  });
});
