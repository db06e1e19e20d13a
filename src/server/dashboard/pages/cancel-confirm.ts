/**
 * The confirmation page of a cancel (`GET /executions/:id/cancel`): where the cancel button of
 * an execution leads in a browser without JavaScript, which has no `hx-confirm` dialog. Only its
 * own form POSTs the cancel (with the session's CSRF token, as every dashboard POST); opening it
 * changes nothing. An execution that can no longer be cancelled says so, with no form.
 * @module
 */
import { CANCELLABLE_STATES } from '../../../store/states.js';
import type { ExecutionStatus } from '../../../types.js';
import { html, type SafeHtml } from '../html.js';
import { badge } from '../layout.js';

/** Whether the dashboard offers to cancel an execution in this state (the engine's rule). */
export function cancellable(x: ExecutionStatus): boolean {
  return CANCELLABLE_STATES.has(x.status);
}

/** What a cancel undoes: said in the dialog (with JavaScript) and on this page (without). */
export const CANCEL_CONSEQUENCE = 'Completed steps with a compensation are undone.';

/** The body of the confirmation page. */
export function cancelConfirmBody(x: ExecutionStatus, csrf: string): SafeHtml {
  const detail = `/executions/${encodeURIComponent(x.id)}`;
  if (!cancellable(x)) {
    return html`<section class="panel confirm">
  <h1>Cancel execution <span class="mono">${x.id}</span></h1>
  <p>Nothing to cancel: the execution is ${badge(x.status)}.</p>
  <p><a href="${detail}">Back to the execution</a></p>
</section>`;
  }
  return html`<section class="panel confirm">
  <h1>Cancel execution <span class="mono">${x.id}</span>?</h1>
  <p>It is ${badge(x.status)} (workflow <span class="mono">${x.workflowId}</span>). ${CANCEL_CONSEQUENCE}</p>
  <form method="post" action="${detail}/cancel" class="confirm-actions">
    <input type="hidden" name="_csrf" value="${csrf}">
    <button type="submit" class="danger" id="confirm-cancel">Cancel execution</button>
    <a href="${detail}">Back, without cancelling</a>
  </form>
</section>`;
}
