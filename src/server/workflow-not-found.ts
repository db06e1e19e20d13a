/**
 * The 404 of a route given a workflow id nothing defines, naming the defined workflow it most
 * likely stood for (`Workflow 'user-registraton' is not defined (did you mean 'user-registration'?)`).
 * @module
 */
import { WorkflowNotFoundError } from '../errors.js';
import type { Orchestrator } from '../orchestrator.js';

/** `WORKFLOW_NOT_FOUND` for `id`, with the closest id among the workflows `orch` knows. */
export function workflowNotFound(orch: Orchestrator, id: string): WorkflowNotFoundError {
  return new WorkflowNotFoundError(
    id,
    orch.workflowEngine.listWorkflows().map((def) => def.id),
  );
}
