/**
 * Node identity and liveness. A node id is `host/pid/random`; an owner in this pid space whose
 * process is gone is known dead at once (its executions need not wait for the lease to expire).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** How many hex digits of the boot id a pid space names (48 bits). */
const BOOT_DIGITS = 12;

/**
 * Where process ids mean the same thing: the host name, the pid namespace (containers on one host
 * may share a host name but not their pids) and the kernel's boot id. The host name and the pid
 * namespace alone do not tell machines apart: every machine's first pid namespace has the same
 * inode number, and machines share host names (VMs cloned from one image, hosts left named
 * `localhost`), so a node took a pid of another machine's node for one of its own, judged that
 * node dead whenever the pid named no process here, and took its executions from under it.
 * Containers of one host share its boot id; a reboot changes it (its pids name other processes).
 */
function pidSpace(): string {
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid').replace(/\D/g, '');
  } catch {
    // No /proc (not Linux): the host name alone.
  }
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')
      .replace(/[^0-9a-f]/gi, '')
      .slice(0, BOOT_DIGITS)
      .toLowerCase();
  } catch {
    // No boot id to read: the host name and pid namespace alone.
  }
  return [hostname(), ...(ns ? [ns] : []), ...(boot ? [boot] : [])].join('~');
}

const LOCAL_SPACE = pidSpace();

/** A fresh id for this node: `<host[~pid-namespace][~boot-id]>/<pid>/<random>`. */
export function newNodeId(): string {
  return `${LOCAL_SPACE}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !exitedUnreaped(pid);
}

/**
 * Whether `pid` has exited and waits for its parent to reap it (a zombie, which `kill(pid, 0)`
 * still finds): a node killed under a parent that reaps late or never. Linux only (/proc).
 */
function exitedUnreaped(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // no /proc: the signal check alone
  }
  // `pid (comm) S ...`: the state follows the last parenthesis (comm may hold any character).
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'Z' || state === 'X';
}

/** Whether `owner` is a node on this host whose process no longer exists. */
export function isDeadLocalOwner(owner: string): boolean {
  const [host, pidText] = owner.split('/');
  if (host !== LOCAL_SPACE || pidText === undefined) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !processAlive(pid);
}

/**
 * Whether `owner` is known dead: a node of this pid space whose process is gone, or one the store
 * can tell has stopped (`Store.ownerGone`: the SQLite store, for any process on the host).
 */
export function ownerKnownDead(owner: string, store: { ownerGone?(owner: string): boolean }): boolean {
  return isDeadLocalOwner(owner) || store.ownerGone?.(owner) === true;
}
