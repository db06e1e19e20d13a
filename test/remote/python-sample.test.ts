/**
 * The Python worker of docs/remote-workers.md, as users copy it: its functions are taken from the
 * page and run by `python3` (installed by .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const hasPython = spawnSync('python3', ['--version']).status === 0;

/** The sample's definitions (everything before its main loop). */
function sampleFunctions(): string {
  const page = readFileSync(join(import.meta.dirname, '../../docs/remote-workers.md'), 'utf8');
  const code = /## A worker in Python[\s\S]*?```python\n([\s\S]*?)```/.exec(page)?.[1];
  if (!code) throw new Error('no Python sample in docs/remote-workers.md');
  return code.slice(0, code.indexOf('\nwhile True:'));
}

/** A port nothing listens on (a node that went away). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the Python worker sample', () => {
  it('keeps heartbeating through network errors (its heartbeat thread used to die at the first one)', async () => {
    expect(hasPython, 'python3 is needed (.ci/run installs it)').toBe(true);
    const script = `${sampleFunctions()}
done, cancelled = threading.Event(), threading.Event()
beat = threading.Thread(target=heartbeat, args=("rw_x", "rt_x", 0.3, done, cancelled), daemon=True)
beat.start()
time.sleep(0.6)
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
    expect(run.stdout.trim()).toBe('alive working');
  });
});
