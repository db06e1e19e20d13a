/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: it throws on the
 * first line a scraper could reject or misread, and checks the conventions a Prometheus user
 * relies on (HELP/TYPE once per family and before its samples, a family's lines together, no
 * duplicate series, histogram buckets cumulative with `+Inf` equal to `_count`, counters named
 * `_total`, no NaN).
 * @module
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family. */
export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function fail(lineNo: number, line: string, why: string): never {
  throw new Error(`line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
}

/** Unescapes a HELP docstring (only `\\` and `\n` are escapes; any other backslash is literal). */
function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

function parseValue(raw: string, lineNo: number, line: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  if (raw === 'NaN') fail(lineNo, line, 'NaN value (an undefined value should not be exposed)');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) fail(lineNo, line, `bad value '${raw}'`);
  return Number(raw);
}

/** Parses `{a="x",b="y"}` starting at `text[0] === '{'`; returns the labels and the rest. */
function parseLabels(
  text: string,
  lineNo: number,
  line: string,
): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const nameMatch = /^[^=]*/.exec(text.slice(i));
    const name = nameMatch ? nameMatch[0] : '';
    if (!LABEL_NAME.test(name)) fail(lineNo, line, `bad label name '${name}'`);
    if (name.startsWith('__')) fail(lineNo, line, `reserved label name '${name}'`);
    if (Object.hasOwn(labels, name)) fail(lineNo, line, `label '${name}' twice`);
    i += name.length;
    if (text[i] !== '=' || text[i + 1] !== '"') fail(lineNo, line, 'expected ="');
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) fail(lineNo, line, 'unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else fail(lineNo, line, `bad escape '\\${next}' in a label value`);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail(lineNo, line, 'expected , or } after a label');
  }
}

/** The family a sample name belongs to, given the declared types. */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const t = types.get(base);
      if (t === 'histogram' || (t === 'summary' && suffix !== '_bucket')) return base;
    }
  }
  return name;
}

const seriesKey = (s: Sample) =>
  `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

/** Parses and checks `text`; throws an Error naming the first problem. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition does not end with a newline');
  const families = new Map<string, Family>();
  const types = new Map<string, string>();
  const seen = new Set<string>();
  const closed = new Set<string>();
  let current: string | null = null;
  const enter = (family: string, lineNo: number, line: string) => {
    if (family === current) return;
    if (current !== null) closed.add(current);
    if (closed.has(family)) fail(lineNo, line, `family ${family} is split (its lines are not together)`);
    current = family;
  };
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) fail(lineNo, line, `bad metric name '${name}'`);
      enter(name, lineNo, line);
      const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      families.set(name, family);
      if (kind === 'HELP') {
        if (family.help !== '') fail(lineNo, line, `second HELP for ${name}`);
        family.help = unescapeHelp(rest);
      } else {
        if (types.has(name)) fail(lineNo, line, `second TYPE for ${name}`);
        if (family.samples.length > 0) fail(lineNo, line, `TYPE of ${name} after its samples`);
        if (!TYPES.has(rest)) fail(lineNo, line, `unknown type '${rest}'`);
        types.set(name, rest);
        family.type = rest;
      }
      return;
    }
    const nameMatch = /^[^\s{]+/.exec(line);
    const name = nameMatch ? nameMatch[0] : '';
    if (!METRIC_NAME.test(name)) fail(lineNo, line, `bad metric name '${name}'`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, lineNo, line));
    const parts = rest.trim().split(/ +/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2)
      fail(lineNo, line, 'expected " value [timestamp]"');
    const value = parseValue(parts[0] as string, lineNo, line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) fail(lineNo, line, 'bad timestamp');
    const familyName = familyOf(name, types);
    enter(familyName, lineNo, line);
    const family = families.get(familyName) ?? { name: familyName, type: 'untyped', help: '', samples: [] };
    families.set(familyName, family);
    const sample = { name, labels, value };
    const key = seriesKey(sample);
    if (seen.has(key)) fail(lineNo, line, `duplicate series ${key}`);
    seen.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) checkFamily(family);
  return families;
}

function checkFamily(f: Family): void {
  if (f.type === 'counter') {
    if (!f.name.endsWith('_total')) throw new Error(`counter ${f.name} does not end in _total`);
    for (const s of f.samples) if (s.value < 0) throw new Error(`counter ${seriesKey(s)} is negative`);
  }
  if (f.type !== 'histogram') return;
  const groups = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${seriesKey(s)}: bucket without le`);
      g.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), s.value]);
    } else if (s.name === `${f.name}_sum`) g.sum = s.value;
    else if (s.name === `${f.name}_count`) g.count = s.value;
    else throw new Error(`${seriesKey(s)}: not a histogram sample of ${f.name}`);
  }
  for (const [key, g] of groups) {
    const where = `${f.name}${key}`;
    if (g.sum === undefined || g.count === undefined) throw new Error(`${where}: _sum or _count missing`);
    const last = g.buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`${where}: no +Inf bucket last`);
    for (let i = 1; i < g.buckets.length; i++) {
      const [prevLe, prevCount] = g.buckets[i - 1] as [number, number];
      const [le, count] = g.buckets[i] as [number, number];
      if (!(le > prevLe)) throw new Error(`${where}: le not increasing`);
      if (count < prevCount) throw new Error(`${where}: buckets not cumulative`);
    }
    if (last[1] !== g.count) throw new Error(`${where}: +Inf bucket ${last[1]} != _count ${g.count}`);
  }
}
