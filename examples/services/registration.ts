/**
 * Simulated services of the user-registration saga: validate input → create the user (undo:
 * delete it) → send the welcome email (retried) → create a session (undo: destroy it).
 * Ids derive from `ctx.idempotencyKey`, so a step re-run after a crash creates nothing twice.
 * @module
 */

import type { ActionHandler, CompensationHandler } from '../../src/index.js';
import { NonRetryableError } from '../../src/index.js';
import {
  failIfAsked,
  firstStepFlags,
  log,
  simulated,
  simulatedUndo,
  simulationOf,
  stableId,
  work,
} from './simulation.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Users and sessions "created" by this process (the simulated database). */
const users = new Map<string, { email: string; name: string }>();
const sessions = new Set<string>();

const validateInput: ActionHandler = async (input, ctx) => {
  const flags = firstStepFlags(input, ctx, ['email', 'name'], {
    actions: registrationActions,
    compensations: registrationCompensations,
  });
  await work(5, flags, ctx.signal);
  failIfAsked('input validator', flags, ctx);
  const { email, name } = (input ?? {}) as { email?: unknown; name?: unknown };
  if (typeof email !== 'string' || !EMAIL.test(email)) {
    throw new NonRetryableError('input.email must be an email address', { code: 'INVALID_INPUT' });
  }
  if (typeof name !== 'string' || name.trim() === '') {
    throw new NonRetryableError('input.name must be a non-empty string', { code: 'INVALID_INPUT' });
  }
  const simulation = simulationOf(input);
  return { email: email.toLowerCase(), name: name.trim(), ...(simulation ? { simulation } : {}) };
};

/** Actions of the registration workflow. */
export const registrationActions: Record<string, ActionHandler> = {
  validate_input: validateInput,
  create_user: simulated<{ email: string; name: string }>('user service', 60, (input, ctx) => {
    const userId = stableId('usr', ctx.idempotencyKey);
    users.set(userId, { email: input.email, name: input.name });
    return { userId, email: input.email };
  }),
  send_email: simulated<{ to?: string }>('email service', 150, (input, ctx) => ({
    messageId: stableId('msg', ctx.idempotencyKey),
    to: input.to,
  })),
  create_session: simulated<{ userId?: string }>('session service', 30, (input, ctx) => {
    const sessionId = stableId('ses', ctx.idempotencyKey);
    sessions.add(sessionId);
    return { sessionId, userId: input.userId, expiresInSec: 3600 };
  }),
};

/** Compensations of the registration workflow. */
export const registrationCompensations: Record<string, CompensationHandler> = {
  delete_user: simulatedUndo('delete_user', 'user service', 20, (output) => {
    const userId = String(output.userId ?? '?');
    users.delete(userId);
    log(`undo create_user: deleting user ${userId}`);
  }),
  destroy_session: simulatedUndo('destroy_session', 'session service', 10, (output) => {
    const sessionId = String(output.sessionId ?? '?');
    sessions.delete(sessionId);
    log(`undo create_session: destroying session ${sessionId}`);
  }),
};
