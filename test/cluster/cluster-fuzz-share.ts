/**
 * The cluster chaos fuzz's share check (cluster-fuzz.test.ts): while a killed node is down, the two
 * survivors share the work once it is more than one of them can run. Judged from the store reads
 * the parent made while the victim was down, not from how many handlers each started in that
 * window, which depends on how fast the machine runs: with few executions under way (a handful,
 * or the victim's orphans, which the first survivor to look takes all of: docs/scaling.md), one
 * survivor may rightly run them all, and a slow restart of the victim only makes its window longer.
 * Once the survivors hold more unfinished executions than one node's slots, a survivor that holds
 * none was shut out of placement (the other would place work on the least-loaded live node).
 * Both survivors counted each other live before the kill (the fuzz waits for that), so no
 * allowance for a node that just started is needed.
 * @module
 */

/** One store read: the unfinished executions each owner pid held, at a journal position. */
export interface OwnedRead {
  /** Journal length read right after the store read. */
  n: number;
  /** Unfinished executions by owner pid (unowned ones left out). */
  owned: Map<number, number>;
}

/** What the share check looks at. */
export interface KillWindow {
  /** The victim's label. */
  victim: string;
  /** Journal positions of the kill and of the victim's `up` (the journal's end if it never came back). */
  from: number;
  to: number;
  /** The survivors at the kill: label and pid, each counting the other live then. */
  survivors: { label: string; pid: number }[];
  /** The store reads of the whole run, in order. */
  reads: OwnedRead[];
  /** One node's slots (`maxConcurrentWorkflows`). */
  slots: number;
}

/** The owner pid in a node id `<host>/<pid>/<random>`; NaN when it is not one. */
export function ownerPid(owner: string): number {
  return Number(owner.split('/')[1]);
}

/**
 * Fails for each survivor that held no unfinished execution in any store read from the kill up to
 * the first read, while the victim was down, at which the survivors together held more than `slots`.
 * Says nothing when no read in the window found more than that.
 */
export function checkShare(w: KillWindow, fail: (msg: string) => void): void {
  const inWindow = w.reads.filter((r) => r.n >= w.from && r.n <= w.to);
  const held = (r: OwnedRead, pid: number) => r.owned.get(pid) ?? 0;
  const total = (r: OwnedRead) => w.survivors.reduce((sum, s) => sum + held(r, s.pid), 0);
  const over = inWindow.findIndex((r) => total(r) > w.slots);
  if (over < 0) return;
  const upTo = inWindow.slice(0, over + 1);
  for (const s of w.survivors)
    if (upTo.every((r) => held(r, s.pid) === 0))
      fail(
        `${s.label} held none of the executions while ${w.victim} was down, though the survivors held ` +
          `${total(inWindow[over]!)}, more than one node's ${w.slots} slots`,
      );
}
