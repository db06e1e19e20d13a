/**
 * Which definition format a stored version needs, and which one a node reads. During a rolling
 * upgrade a version may use keys or expression functions that nodes of the older release do not
 * know: they cannot run it (`stored.ts`) and release any execution of it placed on them. Each
 * node says in its heartbeat which format it reads (`info.definitionFormat`), and placement
 * leaves out the nodes that read an older format than the version needs (`capable-nodes.ts`).
 * @module
 */
import { eachExpression, eachKey } from './definition-keys.js';
import { FORMAT_ADDITIONS } from './format-levels.js';

/** Per key (`<place>.<key>`), the level that added it. */
function keyLevels(): ReadonlyMap<string, number> {
  const levels = new Map<string, number>();
  for (const a of FORMAT_ADDITIONS) for (const key of a.keys ?? []) levels.set(key, a.level);
  return levels;
}

/** Per level, a pattern matching a call of one of the functions it added (`name(`, `.name(`). */
function functionPatterns(): { level: number; pattern: RegExp }[] {
  const out: { level: number; pattern: RegExp }[] = [];
  for (const a of FORMAT_ADDITIONS) {
    const names = (a.functions ?? []).map((n) => n.replace(/[^\w]/g, ''));
    if (names.length > 0)
      out.push({ level: a.level, pattern: new RegExp(`\\b(?:${names.join('|')})\\s*\\(`) });
  }
  return out;
}

/** The highest level that changed how expressions evaluate (1 when none did). */
function expressionLevel(): number {
  let level = 1;
  for (const a of FORMAT_ADDITIONS) if (a.expressions === true) level = Math.max(level, a.level);
  return level;
}

const KEY_LEVELS = keyLevels();
const FUNCTION_PATTERNS = functionPatterns();
const EXPRESSION_LEVEL = expressionLevel();

/**
 * The definition format a version needs: the highest level that added a key it uses, or a
 * function its expressions call (a name followed by `(`, even inside a string literal: reading
 * too much into a version only keeps it off older nodes), or, for a version with any expression,
 * the highest level that changed how expressions evaluate. 1 when it uses nothing added later.
 */
export function requiredFormat(steps: unknown, options: unknown): number {
  let level = 1;
  if (KEY_LEVELS.size > 0) {
    eachKey(steps, options, (place, key) => {
      level = Math.max(level, KEY_LEVELS.get(`${place}.${key}`) ?? 1);
    });
  }
  if (FUNCTION_PATTERNS.length > 0 || EXPRESSION_LEVEL > 1) {
    eachExpression(steps, (source) => {
      if (EXPRESSION_LEVEL > level) level = EXPRESSION_LEVEL;
      for (const f of FUNCTION_PATTERNS) if (f.level > level && f.pattern.test(source)) level = f.level;
    });
  }
  return level;
}

/**
 * The format a node reads, from its heartbeat's `info`: 1 when it does not say (a node of a
 * release from before the field, which reads format 1) or says something malformed.
 */
export function formatOf(info: Record<string, unknown>): number {
  const level = info.definitionFormat;
  return typeof level === 'number' && Number.isSafeInteger(level) && level >= 1 ? level : 1;
}
