/**
 * The conversions of timestamps and durations CEL has and @marcbachmann/cel-js lacks, refused when
 * defined as "no matching overload": `string(timestamp)` (RFC 3339 in UTC, fraction digits only as
 * needed: `'2024-03-10T15:04:05Z'`, `'...05.5Z'`), `string(duration)` (seconds, as a result's JSON:
 * `'5400s'`, `'1.5s'`) and `int(timestamp)` (seconds since the Unix epoch, rounded down).
 * @module
 */
import type { Environment } from '@marcbachmann/cel-js';
import { durationText } from './duration-text.js';

/** A timestamp as CEL's `string()` writes it: RFC 3339 in UTC, without trailing zero fraction digits. */
export function timestampText(instant: Date): string {
  return instant.toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Adds the conversions to `env`. */
export function registerTimeConversions(env: Environment): void {
  env.registerFunction('string(google.protobuf.Timestamp): string', timestampText);
  env.registerFunction(
    'string(google.protobuf.Duration): string',
    (duration: { seconds: bigint; nanos: number }) => durationText(duration.seconds, duration.nanos),
  );
  env.registerFunction('int(google.protobuf.Timestamp): int', (instant: Date) =>
    BigInt(Math.floor(instant.getTime() / 1000)),
  );
}
