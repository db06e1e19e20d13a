/**
 * Node identity and liveness. A node id is `host/pid/random`; an owner on this host whose
 * process is gone is known dead at once (its executions need not wait for the lease to expire).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A fresh id for this node. */
export function newNodeId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
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
  if (host !== hostname() || pidText === undefined) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !processAlive(pid);
}
