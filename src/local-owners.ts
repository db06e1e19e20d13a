/**
 * Node identity and liveness on this host. A node id is `host/pid/random`; an owner in this pid
 * space whose process is gone is known dead at once (its executions need not wait for the lease to
 * expire). Shared by the engine (`engine/owners.ts`) and the SQLite store (`ownerGone`).
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
function pidSpace(): { space: string; withoutBoot: string } {
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
  const withoutBoot = [hostname(), ...(ns ? [ns] : [])].join('~');
  return { space: boot ? `${withoutBoot}~${boot}` : withoutBoot, withoutBoot };
}

const { space: LOCAL_SPACE, withoutBoot: SPACE_WITHOUT_BOOT } = pidSpace();

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
  return host === LOCAL_SPACE && pidGone(pidText);
}

/**
 * Whether `owner` is a node id of a release from before ids named the boot (`host~pid-namespace/
 * pid/random`), of this host name and pid namespace, whose pid names no process now. Only for a
 * store every process of which shares this kernel (a SQLite file): there, that pid space is this
 * one, at this boot or an earlier one, whose processes are all gone. Elsewhere (PostgreSQL) another
 * machine's first pid namespace looks the same. A process killed before an upgrade held its
 * executions for a whole lease after it, the only ones such a node leaves.
 */
export function isDeadLegacyLocalOwner(owner: string): boolean {
  if (SPACE_WITHOUT_BOOT === LOCAL_SPACE) return false;
  const [host, pidText] = owner.split('/');
  return host === SPACE_WITHOUT_BOOT && pidGone(pidText);
}

function pidGone(pidText: string | undefined): boolean {
  if (pidText === undefined) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !processAlive(pid);
}
