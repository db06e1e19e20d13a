/**
 * The line `list` and `metrics` print when `--workflow` names a workflow the store has no
 * definition of (a typo, most often): `No workflow user-registraton is defined in this store (it
 * knows user-registration, voice). Did you mean user-registration?`
 * @module
 */
import { closestName } from '../closest-name.js';
import { printable } from './format.js';

/** The line for `workflow`, naming up to ten of the ids the store knows. */
export function unknownWorkflowLine(workflow: string, known: readonly string[]): string {
  const shown = known.slice(0, 10).join(', ') + (known.length > 10 ? ` and ${known.length - 10} more` : '');
  const ids = known.length > 0 ? ` (it knows ${shown})` : '';
  const meant = closestName(workflow, known);
  const guess = meant === null ? '' : ` Did you mean ${printable(meant)}?`;
  return `No workflow ${printable(workflow)} is defined in this store${ids}.${guess}`;
}
