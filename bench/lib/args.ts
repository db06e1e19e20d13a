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
