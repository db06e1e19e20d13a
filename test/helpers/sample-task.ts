/** The one task a fake node (a plain `http` server in a remote-worker test) hands out. */
export const sampleTask = {
  taskId: 'rt_1',
  action: 'job',
  executionId: 'exec_1',
  workflowId: 'w',
  step: 'job',
  attempt: 1,
  input: null,
  idempotencyKey: 'exec_1:job',
  deadline: null,
};
