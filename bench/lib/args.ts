/**
 * Small argument helpers shared by the bench commands.
 * @module
 */

/** Parses a payload size: `small`/`0`, `512`, `10kb`, `1mb` → bytes. */
export function parsePayload(text: string | undefined): number {
  if (text === undefined || text === '' || text === 'small') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m)?$/i.exec(text.trim());
  if (!m) throw new Error(`--payload: expected bytes, e.g. 10240 or 10kb, got ${JSON.stringify(text)}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1;
  return Math.round(Number(m[1]) * mult);
}

/** An integer option: `dflt` when absent, an error naming the flag when not an integer ≥ `min`. */
export function intOption(name: string, text: string | undefined, dflt: number, min = 1): number {
  if (text === undefined) return dflt;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`--${name}: expected an integer ≥ ${min}, got ${text}`);
  return v;
}

/** `parseArgs` options of the harness workload, as every engine-row command takes them. */
export const WORKLOAD_OPTIONS = {
  n: { type: 'string' },
  c: { type: 'string' },
  lowload: { type: 'string' },
  warmup: { type: 'string' },
} as const;

/** `parseArgs` options of the PostgreSQL rows (passed on to `engine-peer.ts`). */
export const PG_OPTIONS = {
  'pg-url': { type: 'string' },
  'pg-pool': { type: 'string' },
  'pg-lanes': { type: 'string' },
} as const;

/** The harness workload from parsed options (N=2000, C=100, low-load 200, warm-up 100). */
export function workloadFrom(values: {
  n?: string;
  c?: string;
  lowload?: string;
  warmup?: string;
  steps?: string;
  payload?: string;
}): { n: number; c: number; lowload: number; warmup: number; steps: number; payload: number } {
  return {
    n: intOption('n', values.n, 2000),
    c: intOption('c', values.c, 100),
    lowload: intOption('lowload', values.lowload, 200, 0),
    warmup: intOption('warmup', values.warmup, 100, 0),
    steps: intOption('steps', values.steps, 3),
    payload: parsePayload(values.payload),
  };
}
