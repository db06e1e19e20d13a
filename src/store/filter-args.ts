/**
 * How the SQL stores pick the `list` / `count` statement of an execution filter: each of the four
 * optional conditions sets one bit of the statement's index and adds its arguments in order.
 * @module
 */
import type { ListPosition } from './list-position.js';

/** The conditions of an execution listing that select its statement. */
export interface FilterConditions {
  status?: string;
  workflowId?: string;
  before?: ListPosition;
  after?: ListPosition;
}

/**
 * Which `list`/`count` statement a filter uses (bit 1 status, 2 workflow, 4 before, 8 after) and
 * its arguments, in that order.
 */
export function filterArgs(filter: FilterConditions): [number, unknown[]] {
  const args: unknown[] = [];
  let index = 0;
  if (filter.status !== undefined) {
    index += 1;
    args.push(filter.status);
  }
  if (filter.workflowId !== undefined) {
    index += 2;
    args.push(filter.workflowId);
  }
  if (filter.before !== undefined) {
    index += 4;
    args.push(filter.before.createdAt, filter.before.id);
  }
  if (filter.after !== undefined) {
    index += 8;
    args.push(filter.after.createdAt, filter.after.id);
  }
  return [index, args];
}
