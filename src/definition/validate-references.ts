/**
 * The definition check of the steps expressions name (SPEC §3: `defineWorkflow` rejects bad
 * expressions with their path): every step an expression reads by a literal name
 * (`steps.stt.output`, see `expression-refs.ts`) must be a step or branch of the workflow, and
 * a parallel branch may not read a branch of its own parallel step. A conditional step has no
 * output (the run-time `steps` never holds it), so naming one is refused too.
 * @module
 */
import { didYouMean } from '../closest-name.js';
import { echo } from '../echo.js';
import type { Issue } from '../errors.js';
import { bracketHint } from './name-hint.js';

/** The step names one expression reads by a literal name, and where the expression is. */
export interface ExpressionRefs {
  path: string;
  /** The expression. */
  source: string;
  /** Name of the step the expression belongs to. */
  owner: string | null;
  names: readonly string[];
}

/** Where a step name was first seen, and the parallel step it is a branch of. */
export interface NameEntry {
  path: string;
  parent: string | null;
  /** A conditional step: it records a decision, never an output, so it is never in `steps`. */
  conditional: boolean;
}

/**
 * Reports each name an expression reads that no step or branch has. A step that may not have
 * run yet is fine (`has(steps.later)`, a step after a jump); only a name no step has is not.
 *
 * A branch's input is evaluated at each of its attempts while its siblings run, so reading a
 * sibling would see its output or not depending on timing (a first attempt without it, a retry
 * or a resumed run with it); a branch never has its own output while it runs. Both are refused.
 */
export function checkReferences(
  refs: readonly ExpressionRefs[],
  names: ReadonlyMap<string, NameEntry>,
  issues: Issue[],
): void {
  // Only so many problems are reported (`MAX_ISSUES`): hints for the first of them.
  let hints = 100;
  for (const { path, source, owner, names: read } of refs) {
    const parallel = owner === null ? null : (names.get(owner)?.parent ?? null);
    for (const name of read) {
      const entry = names.get(name);
      if (!entry) {
        // `steps.fetch.user` reads a step 'fetch': say so when a step 'fetch.user' exists.
        // Else the name of a step it may have meant (`steps.fetc.output`).
        const hint =
          hints-- > 0
            ? bracketHint(source, (known) => names.has(known), `${name}.`) || didYouMean(name, names.keys())
            : '';
        issues.push({ path, message: `unknown step ${echo(name)}${hint}` });
      } else if (entry.conditional) {
        issues.push({
          path,
          message: `reads step '${name}', a conditional step: it records a decision and has no output, so it is never in steps`,
        });
      } else if (parallel !== null && entry.parent === parallel) {
        issues.push({
          path,
          message:
            name === owner
              ? `reads its own output (step '${name}'), which a parallel branch never has while it runs`
              : `reads step '${name}', a sibling branch of parallel step '${parallel}': branches run concurrently, so its output may or may not be there yet (read it in a step after '${parallel}')`,
        });
      }
    }
  }
}
