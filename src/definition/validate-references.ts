/**
 * The definition check of the steps expressions name (SPEC §3: `defineWorkflow` rejects bad
 * expressions with their path): every step an expression reads by a literal name
 * (`steps.stt.output`, see `expression-refs.ts`) must be a step or branch of the workflow.
 * @module
 */
import type { Issue } from '../errors.js';

/** The step names one expression reads by a literal name, and where the expression is. */
export interface ExpressionRefs {
  path: string;
  names: readonly string[];
}

/** Where a step name was first seen, and the parallel step it is a branch of. */
export interface NameEntry {
  path: string;
  parent: string | null;
}

/**
 * Reports each name an expression reads that no step or branch has. A step that may not have
 * run yet is fine (`has(steps.later)`, a step after a jump); only a name no step has is not.
 */
export function checkReferences(
  refs: readonly ExpressionRefs[],
  names: ReadonlyMap<string, NameEntry>,
  issues: Issue[],
): void {
  for (const { path, names: read } of refs) {
    for (const name of read) {
      if (!names.has(name)) issues.push({ path, message: `unknown step '${name}'` });
    }
  }
}
