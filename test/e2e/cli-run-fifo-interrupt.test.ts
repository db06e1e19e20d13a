/**
 * `run <fifo>` reads a definition from a named pipe (`run <(jq …)`), `serve --config <fifo>` its
 * config, `run /dev/stdin` from the terminal. The read blocked the main thread, so while no one had written yet Ctrl-C did nothing,
 * not even twice: the process had to be killed. Both are now read by the event loop: a signal
 * while the read waits stops the run (exit 130) with the store never opened, and what the writer
 * sends is still read. The terminal is a real pseudo-terminal, made by `script` (util-linux).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type CliResult, parseJson, ROOT, startCli, tempStore } from './fixtures/cli-harness.js';

/** A temp store and a FIFO beside it, deleted after the test. */
function fifoAndStore(): { fifo: string; store: ReturnType<typeof tempStore> } {
  const store = tempStore();
  onTestFinished(() => store.remove());
  const fifo = join(store.dir, 'definition.fifo');
  execFileSync('mkfifo', [fifo]);
  return { fifo, store };
}

/**
 * Resolves once process `pid` holds `path` open (its read of the pipe waits), as its
 * `/proc/<pid>/fd` shows: the signal then comes while the read waits, however slowly the CLI
 * started on a loaded machine (a SIGINT before Node.js has run any of the CLI's code ends the
 * process as any program's would, with no exit code).
 */
async function untilOpened(pid: number | undefined, path: string): Promise<void> {
  const end = Date.now() + 15_000;
  const holds = () => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };
  while (!holds()) {
    if (Date.now() > end) throw new Error(`process ${pid} never opened ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The CLI's result, killed after 20 s: a run that ignores the signal would wait for ever. */
async function guarded(running: ReturnType<typeof startCli>): Promise<CliResult> {
  const guard = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
  try {
    return await running.exited;
  } finally {
    clearTimeout(guard);
  }
}

describe('run <fifo>', () => {
  it('stops at Ctrl-C while no one has written to the pipe, exit 130, the store never opened', async () => {
    const { fifo, store } = fifoAndStore();
    const running = startCli(['--json', 'run', fifo, '--store', store.url]);
    await untilOpened(running.child.pid, fifo);
    running.child.kill('SIGINT');
    const r = await guarded(running);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(parseJson<{ error: unknown }>(r.stdout).error).toEqual({
      code: 'INTERRUPTED',
      message:
        'interrupted (SIGINT) while run was starting: stopped before opening the store, with nothing done',
    });
    expect(existsSync(store.file)).toBe(false);
  });

  it('reads a definition written to the pipe once the run waits for it', async () => {
    const { fifo, store } = fifoAndStore();
    const running = startCli(['--json', 'run', fifo, '--store', store.url]);
    await writeFile(fifo, JSON.stringify({ id: 'from-fifo', steps: [{ name: 'a', action: 'noop' }] }));
    const r = await guarded(running);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson<{ workflowId: string; status: string }>(r.stdout)).toMatchObject({
      workflowId: 'from-fifo',
      status: 'completed',
    });
  });
});

describe('serve --config <fifo>', () => {
  it('stops at Ctrl-C while no one has written to the pipe, exit 130, without listening', async () => {
    const { fifo, store } = fifoAndStore();
    const running = startCli(['serve', '--port', '0', '--config', fifo, '--store', store.url]);
    await untilOpened(running.child.pid, fifo);
    running.child.kill('SIGINT');
    const r = await guarded(running);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stderr).toBe(
      'error: interrupted (SIGINT) while serve was starting: stopped before opening the store, with nothing done\n',
    );
    expect(r.stdout).toBe('');
    expect(existsSync(store.file)).toBe(false);
  });
});

/**
 * `run /dev/stdin --store <url>` on a pseudo-terminal, `typed` sent to it after 1.5 s (the CLI has
 * started by then, or holds the signal until it has): its exit code and what the terminal showed.
 */
function runAtTerminal(url: string, typed: string): Promise<{ code: number | null; screen: string }> {
  const command = `${process.execPath} --import tsx src/cli/main.ts run /dev/stdin --store ${url}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
  });
  const typing = setTimeout(() => child.stdin.write(typed), 1500);
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(typing);
      clearTimeout(guard);
      resolve({ code, screen });
    }),
  );
}

describe('run /dev/stdin at a terminal', () => {
  it('stops at Ctrl-C while it waits for the definition, exit 130, the store never opened', async () => {
    const store = tempStore();
    onTestFinished(() => store.remove());
    const r = await runAtTerminal(store.url, '\x03');
    expect(r.code, r.screen).toBe(130);
    expect(r.screen).toContain(
      'interrupted (SIGINT) while run was starting: stopped before opening the store',
    );
    expect(existsSync(store.file)).toBe(false);
  });

  it('reads a definition typed and ended with Ctrl-D', async () => {
    const store = tempStore();
    onTestFinished(() => store.remove());
    const r = await runAtTerminal(store.url, '{"id":"typed","steps":[{"name":"a","action":"noop"}]}\n\x04');
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toMatch(/typed/);
    expect(r.screen).toMatch(/completed/);
  });
});
