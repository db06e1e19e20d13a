/**
 * The timestamp accessors (`getHours()`, `getDayOfWeek('America/New_York')`, ...) as CEL defines
 * them. @marcbachmann/cel-js read a time zone's wall clock back through the server's own time zone,
 * so the result depended on where the orchestrator ran: on a server in Europe/Berlin,
 * `timestamp('2024-03-31T06:30:00Z').getHours('America/New_York')` gave 3 (not 2), and
 * `getDayOfYear()` was one day short from March to October. It also refused the fixed offsets CEL
 * takes (`getHours('+05:30')`: "Invalid time zone specified"). {@link guardTimeZones} makes those
 * calls of a checked tree compute each field from the instant and the zone's offset at it, whatever
 * the server's zone.
 * @module
 */
import { firstNodeProblem, forEachNode, type HandledNode, isNode, type MethodHandle } from './cel-ast.js';

const DAY_MS = 86_400_000;

/** The day of the year, from 0, of `wall` (a date whose UTC fields are the wall clock). */
function dayOfYear(wall: Date): number {
  const start = new Date(0);
  start.setUTCFullYear(wall.getUTCFullYear(), 0, 1);
  return Math.floor(wall.getTime() / DAY_MS) - Math.floor(start.getTime() / DAY_MS);
}

/** Each accessor, of a date whose UTC fields are the wall clock in the zone asked for. */
const FIELDS: Record<string, (wall: Date) => number> = {
  getFullYear: (wall) => wall.getUTCFullYear(),
  getMonth: (wall) => wall.getUTCMonth(),
  getDayOfYear: dayOfYear,
  getDate: (wall) => wall.getUTCDate(),
  getDayOfMonth: (wall) => wall.getUTCDate() - 1,
  getDayOfWeek: (wall) => wall.getUTCDay(),
  getHours: (wall) => wall.getUTCHours(),
  getMinutes: (wall) => wall.getUTCMinutes(),
  getSeconds: (wall) => wall.getUTCSeconds(),
  getMilliseconds: (wall) => wall.getUTCMilliseconds(),
};

/** A fixed offset from UTC, as CEL writes one: `+05:30`, `-08:00`. */
const FIXED_OFFSET = /^([+-])(\d\d):(\d\d)$/;

/** The offset Intl prints for a zone at an instant: `GMT`, `GMT-05:00`, `GMT-04:56:02`. */
const PRINTED_OFFSET = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/;

/** Formatters that print the offset of a named zone, by name (as many as the definitions name). */
const FORMATS = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATS = 1000;

function unknownZone(zone: string): Error {
  return new Error(
    `unknown time zone '${zone}': give an IANA name ('America/New_York', 'UTC') or an offset ('+05:30', '-08:00')`,
  );
}

function offsetFormat(zone: string): Intl.DateTimeFormat {
  let format = FORMATS.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      throw unknownZone(zone);
    }
    if (FORMATS.size >= MAX_FORMATS) FORMATS.clear();
    FORMATS.set(zone, format);
  }
  return format;
}

/** The offset from UTC, in milliseconds, of `zone` (a CEL time zone) at `instant`. */
export function zoneOffset(zone: string, instant: Date): number {
  const fixed = FIXED_OFFSET.exec(zone);
  if (fixed !== null) {
    const [, sign, hours, minutes] = fixed as unknown as [string, string, string, string];
    if (Number(hours) > 23 || Number(minutes) > 59) throw unknownZone(zone);
    return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000;
  }
  const printed = offsetFormat(zone)
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')?.value;
  const parsed = printed === undefined ? null : PRINTED_OFFSET.exec(printed);
  if (parsed === null) throw unknownZone(zone);
  const [, sign, hours = '0', minutes = '0', seconds = '0'] = parsed;
  return (sign === '-' ? -1 : 1) * ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}

/** The field `name` of `instant` in `zone` (UTC when undefined). */
function field(name: string, instant: Date, zone: string | undefined): bigint {
  const read = FIELDS[name] as (wall: Date) => number;
  const offset = zone === undefined ? 0 : zoneOffset(zone, instant);
  return BigInt(read(new Date(instant.getTime() + offset)));
}

function guardNode(node: HandledNode<MethodHandle>): void {
  const library = node.handle;
  if (typeof library !== 'function' || node.op !== 'rcall' || !Array.isArray(node.args)) return;
  const name: unknown = node.args[0];
  if (typeof name !== 'string' || !Object.hasOwn(FIELDS, name)) return;
  node.handle = (values, ev, self) => {
    const [instant, zone, ...rest] = values;
    if (
      instant instanceof Date &&
      !Number.isNaN(instant.getTime()) &&
      rest.length === 0 &&
      (zone === undefined || typeof zone === 'string')
    ) {
      return field(name, instant, zone);
    }
    return library(values, ev, self);
  };
}

/** Makes the timestamp accessors of `ast` (a checked expression) read the zone asked for, not the server's. */
export function guardTimeZones(ast: unknown): void {
  forEachNode(ast, guardNode);
}

/**
 * The first accessor in `ast` given a literal time zone that is not one (`getHours('EST5')` is,
 * `getHours('America/NewYork')` is not), as a problem; or null. Such a call fails every evaluation.
 */
export function findTimeZoneProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, (node) => {
    if (node.op !== 'rcall' || !Array.isArray(node.args)) return null;
    const [name, , args] = node.args as [unknown, unknown, unknown];
    if (typeof name !== 'string' || !Object.hasOwn(FIELDS, name) || !Array.isArray(args)) return null;
    const zone: unknown = args[0];
    if (args.length !== 1 || !isNode(zone) || zone.op !== 'value' || typeof zone.args !== 'string')
      return null;
    try {
      zoneOffset(zone.args, new Date(0));
      return null;
    } catch (error) {
      return `${name}() always fails: ${(error as Error).message}`;
    }
  });
}
