/**
 * The Python worker of docs/remote-workers.md, as users copy it: its functions, or the whole
 * sample with a stand-in for the work, are taken from the page and run by `python3` (installed by
 * .ci/run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { listenForTest } from '../helpers/listen.js';
import { eventually, startServer, TOKEN } from './server.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;

/** The sample, whole. */
function sampleCode(): string {
  const page = readFileSync(join(import.meta.dirname, '../../docs/remote-workers.md'), 'utf8');
  const code = /## A worker in Python[\s\S]*?```python\n([\s\S]*?)```/.exec(page)?.[1];
  if (!code) throw new Error('no Python sample in docs/remote-workers.md');
  return code;
}

/** The sample's definitions (everything before its main loop). */
function sampleFunctions(): string {
  const code = sampleCode();
  return code.slice(0, code.indexOf('\nwhile True:'));
}

/** The whole sample with `definitions` (Python) added before its main loop, replacing the sample's own. */
function sampleWith(definitions: string): string {
  const code = sampleCode();
  const loop = code.indexOf('\nwhile True:');
  return `${code.slice(0, loop)}\n${definitions}\n${code.slice(loop)}`;
}

interface PythonRun {
  /** What it printed so far. */
  stdout: string;
  stderr: string;
  /** Resolves with its exit code once it exits. */
  exited: Promise<number | null>;
}

/** Runs `script` with python3 against the node at `url`; killed when the test ends if still running. */
function runPython(script: string, url: string): PythonRun {
  const child = spawn('python3', ['-c', script], {
    env: { ...process.env, ORCHESTRATOR_URL: url, ORCHESTRATOR_API_TOKEN: TOKEN },
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
  const run: PythonRun = {
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('close', resolve)),
  };
  child.stdout.on('data', (chunk) => {
    run.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    run.stderr += chunk;
  });
  return run;
}

/** A port nothing listens on (a node that went away). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A fake node for the sample's main loop: registrations get `rw_1`, `rw_2`, … (201) up to
 * `registrations`, then 401 (the sample backs off); a poll is answered as `poll(n)` says for the
 * n-th poll. `seen` lists what happened, in order.
 */
async function scriptedNode(registrations: number, poll: (n: number) => 204 | 404) {
  const seen: string[] = [];
  let registered = 0;
  let polls = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (req.url === '/v1/remote-workers') {
        if (registered === registrations) {
          seen.push('register 401');
          return reply(401, { error: { code: 'UNAUTHORIZED', message: 'no more' } });
        }
        registered++;
        seen.push(`register rw_${registered}`);
        return reply(201, { workerId: `rw_${registered}`, leaseSeconds: 30, pollSeconds: 1 });
      }
      const status = poll(++polls);
      seen.push(`${req.url?.split('/').slice(-2).join(' ')} ${status}`);
      if (status === 204) return reply(204);
      reply(404, { error: { code: 'NOT_FOUND', message: 'not registered' } });
    });
  });
  return { url: await listenForTest(server), seen };
}

/** `time.sleep` for the sample's main loop: says how long it was asked to sleep, and ends the script. */
const sleepOnce = `
def _sleep(seconds):
    print("slept", seconds, flush=True)
    raise SystemExit(0)
time.sleep = _sleep
`;

/**
 * The sample's heartbeat thread for a task leased for `lease` seconds, against a node gone away:
 * after `wait` (Python), whether the thread is `alive` or `dead`, and `cancelled` or `working`.
 */
async function heartbeatCutOff(lease: number, wait: string): Promise<string> {
  expect(hasPython, 'python3 is needed (.ci/run installs it)').toBe(true);
  const script = `${sampleFunctions()}
done, cancelled = threading.Event(), threading.Event()
beat = threading.Thread(target=heartbeat, args=("rw_x", "rt_x", ${lease}, done, cancelled), daemon=True)
beat.start()
${wait}
print("alive" if beat.is_alive() else "dead", "cancelled" if cancelled.is_set() else "working")
done.set()
`;
  const run = spawnSync('python3', ['-c', script], {
    env: {
      ...process.env,
      ORCHESTRATOR_URL: `http://127.0.0.1:${await closedPort()}`,
      ORCHESTRATOR_API_TOKEN: 'python-sample-token',
    },
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect(run.stderr).toBe('');
  return run.stdout.trim();
}

describe('the Python worker sample', () => {
  it('keeps heartbeating through network errors (its heartbeat thread used to die at the first one)', async () => {
    expect(await heartbeatCutOff(3, 'time.sleep(2.2)')).toBe('alive working');
  });

  it('gives the task up once a whole lease has passed without a renewal (it used to beat for ever)', async () => {
    expect(await heartbeatCutOff(0.3, 'beat.join(5)')).toBe('dead cancelled');
  });

  it('fails the task with INVALID_OUTPUT and the node’s reason when the node refuses its output', async () => {
    expect(hasPython, 'python3 is needed (.ci/run installs it)').toBe(true);
    const { url, orch, hub } = await startServer({ hub: { leaseSeconds: 30, pollSeconds: 1 } });
    // Python's json writes float("nan") as NaN, which is no JSON: the node answers the complete 400.
    const transcribe = 'def transcribe(task_input, cancelled):\n    return {"confidence": float("nan")}';
    const run = runPython(sampleWith(transcribe), url);
    await eventually(() => hub.snapshot().workers.length === 1, 'the sample to register');
    await orch.workflowEngine.defineWorkflow('voice', [
      { name: 'stt', retry: { maxAttempts: 3, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('voice', { audioUrl: 'https://example.com/a.wav' });
    // Not dropped (the task would wait out its 30 s lease and be retried as WORKER_LOST): failed
    // at once, without retries, saying why.
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('failed');
    expect(status.steps[0]?.error).toMatchObject({
      code: 'INVALID_OUTPUT',
      message: expect.stringMatching(/refused the output \(HTTP 400\): Request body is not valid JSON/),
    });
    expect(status.steps[0]?.history?.map((h) => h.attempt)).toEqual([1]);
    // And it carries on serving.
    expect(hub.snapshot().workers).toHaveLength(1);
    await eventually(() => (hub.snapshot().workers[0]?.polling ?? 0) > 0, 'the sample to poll again');
    expect(run.stderr).toBe('');
  });

  it('fails the task with INVALID_OUTPUT when json cannot write its output (a set), and carries on', async () => {
    expect(hasPython, 'python3 is needed (.ci/run installs it)').toBe(true);
    const { url, orch, hub } = await startServer({ hub: { leaseSeconds: 30, pollSeconds: 1 } });
    const transcribe = 'def transcribe(task_input, cancelled):\n    return {"words": {"a", "b"}}';
    const run = runPython(sampleWith(transcribe), url);
    await eventually(() => hub.snapshot().workers.length === 1, 'the sample to register');
    await orch.workflowEngine.defineWorkflow('voice', [{ name: 'stt', retry: { maxAttempts: 3 } }]);
    const id = await orch.workflowEngine.executeWorkflow('voice', { audioUrl: 'https://example.com/a.wav' });
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.steps[0]?.error).toMatchObject({
      code: 'INVALID_OUTPUT',
      message: expect.stringMatching(/output is not JSON: Object of type set is not JSON serializable/),
    });
    expect(status.steps[0]?.history?.map((h) => h.attempt)).toEqual([1]);
    await eventually(() => (hub.snapshot().workers[0]?.polling ?? 0) > 0, 'the sample to poll again');
    expect(run.stderr).toBe('');
  });

  it('waits 2 s before registering again when its first poll answers 404 (the URL leads to several nodes)', async () => {
    expect(hasPython, 'python3 is needed (.ci/run installs it)').toBe(true);
    // Three registrations at most, so that a sample spinning register/404 ends too.
    const node = await scriptedNode(3, () => 404);
    const run = runPython(sampleWith(sleepOnce), node.url);
    expect(await run.exited).toBe(0);
    expect(run.stderr).toBe('');
    expect(node.seen).toEqual(['register rw_1', 'rw_1 poll 404']);
    expect(run.stdout.trim()).toBe('slept 2');
  });

  it('registers again at once when a node that knew it forgets it (a restart)', async () => {
    expect(hasPython, 'python3 is needed (.ci/run installs it)').toBe(true);
    const node = await scriptedNode(1, (n) => (n === 1 ? 204 : 404));
    const run = runPython(sampleWith(sleepOnce), node.url);
    expect(await run.exited).toBe(0);
    // No sleep between the 404 and the next registration (refused here, which ends the run).
    expect(node.seen).toEqual(['register rw_1', 'rw_1 poll 204', 'rw_1 poll 404', 'register 401']);
    expect(run.stdout.trim()).toBe('slept 2');
  });
});
