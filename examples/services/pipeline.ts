/**
 * Simulated services of the data pipeline: extract → transform (two tables in parallel) →
 * validate → (quarantine bad rows, only when validation found some) → load (undo: roll back)
 * → publish a report.
 * @module
 */
import type { ActionHandler, CompensationHandler } from '../../src/index.js';
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

/** Loads "committed" by this process (the simulated warehouse). */
const loads = new Map<string, number>();

interface ExtractInput {
  source?: string;
  rows?: number;
  invalidRows?: number;
}

type Tables = Record<string, { table: string; rows: number }>;

const countRows = (tables: Tables | undefined): number =>
  Object.values(tables ?? {}).reduce((sum, t) => sum + (t?.rows ?? 0), 0);

/** Actions of the data pipeline. */
export const pipelineActions: Record<string, ActionHandler> = {
  extract_data: async (input, ctx) => {
    const flags = firstStepFlags(input, ctx, ['source', 'rows', 'invalidRows'], {
      actions: pipelineActions,
      compensations: pipelineCompensations,
    });
    await work(200, flags, ctx.signal);
    failIfAsked('source storage', flags, ctx);
    const {
      source = 's3://example-bucket/exports/latest.csv',
      rows = 10_000,
      invalidRows = 0,
    } = (input ?? {}) as ExtractInput;
    const simulation = simulationOf(input);
    return {
      batchId: stableId('batch', ctx.idempotencyKey),
      source,
      rows,
      invalidRows,
      ...(simulation ? { simulation } : {}),
    };
  },
  transform_orders: simulated<{ rows: number }>('transform worker', 300, (input) => ({
    table: 'orders',
    rows: Math.round(input.rows * 0.6),
  })),
  transform_customers: simulated<{ rows: number }>('transform worker', 250, (input) => ({
    table: 'customers',
    rows: input.rows - Math.round(input.rows * 0.6),
  })),
  validate_data: simulated<{ tables: Tables; invalidRows: number }>('validator', 100, (input) => ({
    valid: input.invalidRows === 0,
    checkedRows: countRows(input.tables),
    invalidRows: input.invalidRows,
  })),
  quarantine_invalid: simulated<{ batchId: string; rows: number }>('quarantine store', 80, (input) => ({
    quarantined: input.rows,
    location: `s3://example-bucket/quarantine/${input.batchId}/`,
  })),
  load_data: simulated<{ batchId: string; tables: Tables; skip: number }>('warehouse', 350, (input, ctx) => {
    // One load id per execution step: a re-run after a crash replaces the same load.
    const loadId = stableId('load', ctx.idempotencyKey);
    const rowsLoaded = countRows(input.tables) - (input.skip ?? 0);
    loads.set(loadId, rowsLoaded);
    return { loadId, batchId: input.batchId, rowsLoaded };
  }),
  publish_report: simulated<{ loadId: string }>('reporting service', 60, (input) => ({
    reportUrl: `https://reports.example.com/loads/${input.loadId}`,
  })),
};

/** Compensations of the data pipeline. */
export const pipelineCompensations: Record<string, CompensationHandler> = {
  rollback_load: simulatedUndo('rollback_load', 'warehouse', 100, (output) => {
    const loadId = String(output.loadId ?? '?');
    loads.delete(loadId);
    log(`undo load_data: rolling back load ${loadId} (${Number(output.rowsLoaded ?? 0)} rows)`);
  }),
};
