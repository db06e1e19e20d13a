/**
 * Simulated services of the order saga: reserve stock (undo: release it) → charge the card
 * (undo: refund) → ship (undo: cancel the shipment) → send the confirmation. Every id derives
 * from `ctx.idempotencyKey` (a real payment provider gets the key itself), so a step re-run
 * after a crash reserves, charges or ships nothing twice.
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

/** Reservations, charges and shipments "made" by this process (the simulated services). */
const reservations = new Map<string, string[]>();
const charges = new Map<string, number>();
const shipments = new Set<string>();

interface OrderInput {
  orderId?: unknown;
  items?: unknown;
  amount?: unknown;
}

const reserveInventory: ActionHandler = async (input, ctx) => {
  const flags = firstStepFlags(input, ctx, ['orderId', 'items', 'amount'], {
    actions: orderActions,
    compensations: orderCompensations,
  });
  await work(40, flags, ctx.signal);
  failIfAsked('inventory service', flags, ctx);
  const { orderId, items, amount } = (input ?? {}) as OrderInput;
  if (typeof orderId !== 'string' || orderId === '') {
    throw new NonRetryableError('input.orderId must be a non-empty string', { code: 'INVALID_ORDER' });
  }
  if (!Array.isArray(items) || items.length === 0 || !items.every((i) => typeof i === 'string')) {
    throw new NonRetryableError('input.items must be a non-empty list of SKUs', { code: 'INVALID_ORDER' });
  }
  if (typeof amount !== 'number' || !(amount > 0)) {
    throw new NonRetryableError('input.amount must be a positive number', { code: 'INVALID_ORDER' });
  }
  const reservationId = stableId('rsv', ctx.idempotencyKey);
  reservations.set(reservationId, items);
  const simulation = simulationOf(input);
  return { reservationId, orderId, items, amount, ...(simulation ? { simulation } : {}) };
};

/** Actions of the order saga. */
export const orderActions: Record<string, ActionHandler> = {
  reserve_inventory: reserveInventory,
  charge_payment: simulated<{ orderId: string; amount: number }>('payment provider', 180, (input, ctx) => {
    // The provider deduplicates on the key: a retried or re-run charge is charged once.
    const chargeId = stableId('ch', ctx.idempotencyKey);
    charges.set(chargeId, input.amount);
    return { chargeId, amount: input.amount };
  }),
  ship_order: simulated<{ orderId: string }>('shipping service', 120, (input, ctx) => {
    const trackingId = stableId('trk', ctx.idempotencyKey);
    shipments.add(trackingId);
    return { trackingId, orderId: input.orderId };
  }),
  send_confirmation: simulated<{ orderId: string }>('email service', 80, (input, ctx) => ({
    messageId: stableId('msg', ctx.idempotencyKey),
    orderId: input.orderId,
  })),
};

/** Compensations of the order saga (their `ctx.idempotencyKey` ends in `:compensate`). */
export const orderCompensations: Record<string, CompensationHandler> = {
  release_inventory: simulatedUndo('release_inventory', 'inventory service', 20, (output) => {
    const reservationId = String(output.reservationId ?? '?');
    reservations.delete(reservationId);
    log(`undo reserve_inventory: releasing reservation ${reservationId}`);
  }),
  refund_payment: simulatedUndo('refund_payment', 'payment provider', 60, (output, ctx) => {
    const chargeId = String(output.chargeId ?? '?');
    charges.delete(chargeId);
    const refundId = stableId('rf', ctx.idempotencyKey);
    log(`undo charge_payment: refunding ${Number(output.amount ?? 0)} of charge ${chargeId} (${refundId})`);
  }),
  cancel_shipment: simulatedUndo('cancel_shipment', 'shipping service', 30, (output) => {
    const trackingId = String(output.trackingId ?? '?');
    shipments.delete(trackingId);
    log(`undo ship_order: cancelling shipment ${trackingId}`);
  }),
};
