/**
 * One alert as the engine raises it, for the alert webhook's tests.
 * @module
 */
import type { Alert } from '../../src/monitoring/alerts.js';

export const sampleAlert: Alert = {
  type: 'compensation_failure',
  severity: 'critical',
  message: 'Compensation of step x failed',
  at: new Date('2026-01-02T03:04:05Z'),
  workflowId: 'wf',
};
