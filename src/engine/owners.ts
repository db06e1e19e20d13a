/**
 * Node identity and liveness. A node id is `host/pid/random`; an owner in this pid space whose
 * process is gone is known dead at once (its executions need not wait for the lease to expire).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Where process ids mean the same thing: the host name plus the pid namespace (containers on
 * one host may share a host name but not their pids).
 */
function pidSpace(): string {
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid').replace(/\D/g, '');
  } catch {
    // No /proc (not Linux): the host name alone.
  }
  return ns ? `${hostname()}~${ns}` : hostname();
}

const LOCAL_SPACE = pidSpace();

/** A fresh id for this node: `<host[~pid-namespace]>/<pid>/<random>`. */
export function newNodeId(): string {
  return `${LOCAL_SPACE}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `owner` is a node on this host whose process no longer exists. */
export function isDeadLocalOwner(owner: string): boolean {
  const [host, pidText] = owner.split('/');
  if (host !== LOCAL_SPACE || pidText === undefined) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !processAlive(pid);
}
