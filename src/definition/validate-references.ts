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
  /** Those of `names` the expression tests for first (`has(steps.x)`): it may read them only if there. */
  tested: readonly string[];
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

/**
 * Reports an expression that reads a step which can never have run when the expression is
 * evaluated: without a jump back (a `then` or `else` naming the conditional step itself or one
 * before it), steps run in order, so a step's input or condition never finds the output of itself,
 * of a later step or of its own parallel step (there once its branches ended). Every run would fail with EXPRESSION_ERROR; a Step Functions
 * definition with such a path is refused when it is created. A name the expression tests for
 * (`has(steps.later) ? steps.later.output : 0`) is left alone, as is every read once a jump leads
 * back (a previous visit's output is there in a loop).
 */
export function checkNeverRunReads(
  refs: readonly ExpressionRefs[],
  steps: readonly unknown[],
  names: ReadonlyMap<string, NameEntry>,
  issues: Issue[],
): void {
  const positions = topLevelPositions(steps);
  if (jumpsBack(steps, positions)) return;
  const position = (name: string): number | undefined => {
    const entry = names.get(name);
    return entry ? positions.get(entry.parent ?? name) : undefined;
  };
  for (const { path, owner, names: read, tested } of refs) {
    if (owner === null) continue;
    const at = position(owner);
    const ownerParent = names.get(owner)?.parent ?? null;
    if (at === undefined) continue;
    for (const name of read) {
      const entry = names.get(name);
      const where = position(name);
      // Unknown, conditional and sibling-branch reads are reported by `checkReferences`.
      if (!entry || entry.conditional || where === undefined || tested.includes(name)) continue;
      if (ownerParent !== null && entry.parent === ownerParent) continue;
      if (where > at) {
        issues.push({
          path,
          message: `reads step '${name}' (${entry.path}), which comes after it: steps run in order and no condition jumps back, so it has never run when this is evaluated (test for it with has(steps.${name}) if that is meant)`,
        });
      } else if (where === at) {
        issues.push({
          path,
          message: `${sameStepRead(owner, name)}, and no condition jumps back to run it again`,
        });
      }
    }
  }
}

/** Why a step's expression reading itself or (a branch's) its parallel step finds no output. */
function sameStepRead(owner: string, name: string): string {
  return name === owner
    ? `reads its own output (step '${name}'), which it never has while it runs`
    : `reads its parallel step '${name}', whose output is there only once its branches ended`;
}

/** The index of each top-level step by name. */
function topLevelPositions(steps: readonly unknown[]): Map<string, number> {
  const positions = new Map<string, number>();
  steps.forEach((step, i) => {
    const name = (step as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && !positions.has(name)) positions.set(name, i);
  });
  return positions;
}

/** Whether a conditional step's `then` or `else` names itself or a step before it (a loop). */
function jumpsBack(steps: readonly unknown[], positions: ReadonlyMap<string, number>): boolean {
  return steps.some((step, i) => {
    if (step === null || typeof step !== 'object') return false;
    const { then: onTrue, else: onFalse } = step as { then?: unknown; else?: unknown };
    return [onTrue, onFalse].some((target) => {
      const index = typeof target === 'string' ? positions.get(target) : undefined;
      // An unknown target is reported elsewhere; counted as a loop, it leaves the reads alone.
      return typeof target === 'string' && (index === undefined || index <= i);
    });
  });
}
