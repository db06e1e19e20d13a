/**
 * A node on this host is known dead at once (its executions need not wait for their leases) when
 * its process is gone — also when it has exited but its parent has not reaped it yet (a zombie:
 * `kill(pid, 0)` still succeeds). Under a parent that reaps late or never (a container's init
 * that is no init, a shell that exec'd into the other node), a killed node stayed "alive" to the
 * others on its host, and its executions waited out the lease instead of one `sweepInterval`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isDeadLocalOwner, newNodeId } from '../../src/local-owners.js';

const parents: ChildProcess[] = [];
afterEach(() => {
  for (const p of parents.splice(0)) p.kill('SIGKILL');
});

/** The state letter of `pid` in /proc (`Z` for a zombie), or null once it is gone. */
function state(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** The id a node of process `pid` on this host has. */
const nodeOf = (pid: number) => newNodeId().replace(/\/\d+\//, `/${pid}/`);

describe('isDeadLocalOwner', () => {
  it('counts a living process of this host alive, and one that exited but is not reaped yet dead', async () => {
    // `sh` starts a short `sleep`, prints its pid, and becomes a long `sleep` that never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    parents.push(parent);
    const pid = await new Promise<number>((resolve) =>
      parent.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
    );
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    expect(isDeadLocalOwner(nodeOf(parent.pid ?? 0))).toBe(false);
    for (let i = 0; i < 400 && state(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(state(pid)).toBe('Z');
    expect(isDeadLocalOwner(nodeOf(pid))).toBe(true);
  });
});
