/**
 * `validateDefinition`: checks a whole workflow definition (SPEC §3) and reports every
 * problem with its path in one `ValidationError` (`steps[2].then: unknown step 'foo'`).
 * Shapes come from `schema.ts`; this adds the kind of each step, names unique across steps
 * and branches, jump targets, and that every expression compiles.
 * @module
 */
import type { z } from 'zod';
import { didYouMean } from '../closest-name.js';
import { describeKind } from '../describe-value.js';
import { echo } from '../echo.js';
import { type Issue, ValidationError } from '../errors.js';
import { plural } from '../plural.js';
import { issuesFromZod, parseOptions } from '../zod-issues.js';
import {
  type CompiledExpressions,
  compileExpression,
  type ExpectedType,
  withCompiledExpressions,
} from './expression.js';
import { bracketHint } from './name-hint.js';
import { plainCopy } from './plain-copy.js';
import {
  actionStepSchema,
  conditionStepSchema,
  MAX_EXPRESSION_SOURCE,
  MAX_STEPS,
  MAX_TOTAL_STEPS,
  NAME_PATTERN,
  parallelStepShellSchema,
  retryOptionsSchema,
  workflowIdSchema,
  workflowOptionsSchema,
} from './schema.js';
import type { ActionStepDefinition, RetryOptions, StepDefinition, WorkflowOptions } from './types.js';
import {
  checkNeverRunReads,
  checkReferences,
  type ExpressionRefs,
  type NameEntry,
} from './validate-references.js';

/** Checks without a message of their own say what they take in a definition's words. */
const DEFINITION = parseOptions('definition');

/** Most issues one `ValidationError` lists; the rest are counted in a last issue. */
export const MAX_ISSUES = 100;

/** A definition that passed validation: fresh plain data, safe to store and compile. */
export interface ValidDefinition {
  id: string;
  steps: StepDefinition[];
  options: WorkflowOptions;
}

/** Keys only an action step may have; `timeout` and `compensation` are shared with parallel steps. */
const ACTION_ONLY_KEYS = ['action', 'retry', 'input'] as const;

type Raw = Record<string, unknown>;

/** What the checks of the steps' expressions found: the steps they read, and those that failed. */
interface Found {
  refs: ExpressionRefs[];
  failed: { issue: Issue; source: string }[];
}

/**
 * Validates a definition from any (JSON) input. It reads the caller's objects once, into a
 * plain copy that every check then reads (see `plain-copy.ts`).
 * @returns the definition as fresh plain data; `options` defaults to `{}`.
 * @throws ValidationError listing every problem with its path, and nothing else.
 */
export function validateDefinition(id: unknown, steps: unknown, options?: unknown): ValidDefinition {
  return validateCompiling(id, steps, options, new Map());
}

/**
 * {@link validateDefinition}, keeping in `expressions` the expressions it compiled, for the plan
 * to reuse (see `withCompiledExpressions`).
 */
export function validateCompiling(
  id: unknown,
  steps: unknown,
  options: unknown,
  expressions: CompiledExpressions,
): ValidDefinition {
  const context =
    typeof id === 'string' ? `Invalid workflow definition ${echo(id)}` : 'Invalid workflow definition';
  const issues: Issue[] = [];
  let result: ValidDefinition | null = null;
  try {
    result = withCompiledExpressions(expressions, () => check(id, steps, options, issues));
  } catch (error) {
    // Defensive: whatever arrives (very deep or odd input), callers only ever see a ValidationError.
    const message = error instanceof Error ? error.message : String(error);
    issues.push({ path: '', message: `the definition could not be checked: ${message}` });
  }
  if (issues.length > 0 || result === null) throw new ValidationError(capIssues(issues), context);
  return result;
}

function capIssues(issues: Issue[]): Issue[] {
  if (issues.length <= MAX_ISSUES) return issues;
  const more = issues.length - MAX_ISSUES;
  return [...issues.slice(0, MAX_ISSUES), { path: '', message: `and ${plural(more, 'more problem')}` }];
}

function check(
  rawId: unknown,
  rawSteps: unknown,
  rawOptions: unknown,
  issues: Issue[],
): ValidDefinition | null {
  // Every check below reads this copy: each of the caller's properties is read once.
  const idCopy = plainCopy(rawId, 'id', issues);
  const stepsCopy = plainCopy(rawSteps, 'steps', issues);
  const optionsCopy = plainCopy(rawOptions, 'options', issues);
  if (idCopy === null || stepsCopy === null || optionsCopy === null) return null;
  const [id, steps, options] = [idCopy.value, stepsCopy.value, optionsCopy.value];
  const idResult = workflowIdSchema.safeParse(id, DEFINITION);
  if (!idResult.success) issues.push(...issuesFromZod(idResult.error, workflowIdSchema, 'id'));

  let parsedOptions: WorkflowOptions = {};
  if (options !== undefined) {
    const optionsResult = workflowOptionsSchema.safeParse(options, DEFINITION);
    if (optionsResult.success) parsedOptions = optionsResult.data;
    else issues.push(...issuesFromZod(optionsResult.error, workflowOptionsSchema, 'options'));
  }

  if (!Array.isArray(steps)) {
    const message =
      steps === undefined
        ? 'is required (an array of steps)'
        : `must be an array of steps, got ${describeKind(steps)}`;
    issues.push({ path: 'steps', message });
    return null;
  }
  if (steps.length === 0) {
    issues.push({ path: 'steps', message: 'must list at least one step' });
    return null;
  }
  if (steps.length > MAX_STEPS) {
    issues.push({ path: 'steps', message: `must list at most ${MAX_STEPS} steps, got ${steps.length}` });
    return null;
  }
  const total = totalSteps(steps);
  if (total > MAX_TOTAL_STEPS) {
    issues.push({
      path: 'steps',
      message: `must hold at most ${MAX_TOTAL_STEPS} steps in all, each parallel step's branches counted, got ${total}`,
    });
    return null;
  }

  const parsed: StepDefinition[] = [];
  const found: Found = { refs: [], failed: [] };
  for (let i = 0; i < steps.length; i++) {
    const step = checkStep(steps[i], `steps[${i}]`, issues, found);
    if (step !== null) parsed.push(step);
  }
  const names = checkNames(steps, issues);
  // A step name the expression could not read as steps.<name> (`call-api`): say how to.
  for (const { issue, source } of found.failed.slice(0, MAX_ISSUES)) {
    issue.message += bracketHint(source, (name) => names.has(name));
  }
  checkJumps(steps, names, issues);
  checkReferences(found.refs, names, issues);
  checkNeverRunReads(found.refs, steps, names, issues);

  if (issues.length > 0 || !idResult.success) return null;
  return { id: idResult.data, steps: parsed, options: parsedOptions };
}

/** The steps of a definition, each branch of a parallel step counted (a list too long is refused on its own). */
function totalSteps(steps: readonly unknown[]): number {
  let total = steps.length;
  for (const step of steps) {
    if (isRaw(step) && Array.isArray(step.parallel) && step.parallel.length <= MAX_STEPS) {
      total += step.parallel.length;
    }
  }
  return total;
}

function isRaw(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function has(raw: Raw, key: string): boolean {
  return Object.hasOwn(raw, key);
}

/** A shallow copy without some keys; `Object.fromEntries` keeps a `__proto__` key as plain data. */
function without(raw: Raw, keys: readonly string[]): Raw {
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !keys.includes(key)));
}

function pushZod(
  issues: Issue[],
  schema: z.core.$ZodType,
  result: z.ZodSafeParseResult<unknown>,
  path: string,
): void {
  if (!result.success) issues.push(...issuesFromZod(result.error, schema, path));
}

function checkExpression(
  raw: Raw,
  key: string,
  path: string,
  issues: Issue[],
  found: Found,
  expect?: ExpectedType,
): void {
  const source = raw[key];
  // Non-strings, empty and too long ones are already reported by the schema.
  if (typeof source !== 'string' || source.length === 0 || source.length > MAX_EXPRESSION_SOURCE) return;
  try {
    const compiled = compileExpression(source, expect);
    // Refused in a new definition only: a stored version that has it still runs as it did.
    if (compiled.newDefinitionProblem !== null) {
      issues.push({ path: `${path}.${key}`, message: compiled.newDefinitionProblem });
    }
    if (compiled.stepRefs.length > 0) {
      const owner = typeof raw.name === 'string' ? raw.name : null;
      found.refs.push({
        path: `${path}.${key}`,
        source,
        owner,
        names: compiled.stepRefs,
        tested: compiled.testedStepRefs,
      });
    }
  } catch (error) {
    const issue = { path: `${path}.${key}`, message: error instanceof Error ? error.message : String(error) };
    issues.push(issue);
    found.failed.push({ issue, source });
  }
}

/** Checks one top-level step; returns the parsed step or null (issues pushed). */
function checkStep(value: unknown, path: string, issues: Issue[], found: Found): StepDefinition | null {
  if (!isRaw(value)) {
    issues.push({ path, message: `must be a step object, got ${describeKind(value)}` });
    return null;
  }
  const isCondition = has(value, 'condition');
  const isParallel = has(value, 'parallel');
  const conflicts = [
    ...(isCondition && isParallel ? ['parallel'] : []),
    ...(isCondition || isParallel ? ACTION_ONLY_KEYS.filter((key) => has(value, key)) : []),
  ];
  if (conflicts.length > 0) {
    const kind = isCondition ? 'condition' : 'parallel';
    const list = conflicts.map((key) => `'${key}'`).join(', ');
    issues.push({
      path,
      message: `a step must be exactly one kind: '${kind}' cannot be combined with ${list}`,
    });
  }
  const raw = conflicts.length > 0 ? without(value, conflicts) : value;
  if (isCondition) {
    const result = conditionStepSchema.safeParse(raw, DEFINITION);
    pushZod(issues, conditionStepSchema, result, path);
    checkExpression(raw, 'condition', path, issues, found, 'boolean');
    return result.success ? result.data : null;
  }
  if (isParallel) return checkParallel(raw, path, issues, found);
  return checkAction(raw, path, issues, found);
}

function checkAction(raw: Raw, path: string, issues: Issue[], found: Found): ActionStepDefinition | null {
  const hasRetry = has(raw, 'retry');
  const result = actionStepSchema.safeParse(hasRetry ? without(raw, ['retry']) : raw, DEFINITION);
  pushZod(issues, actionStepSchema, result, path);
  checkExpression(raw, 'input', path, issues, found);
  // `retry: undefined` is no retry policy, as any optional key left undefined is left out.
  const retry =
    hasRetry && raw.retry !== undefined ? checkRetry(raw.retry, `${path}.retry`, issues) : undefined;
  if (!result.success || retry === null) return null;
  return retry === undefined ? result.data : { ...result.data, retry };
}

/** `true`, `false` or retry options; null when invalid (issues pushed). */
function checkRetry(value: unknown, path: string, issues: Issue[]): boolean | RetryOptions | null {
  if (typeof value === 'boolean') return value;
  if (!isRaw(value)) {
    issues.push({
      path,
      message: `must be true, false or an object of retry options, got ${describeKind(value)}`,
    });
    return null;
  }
  const result = retryOptionsSchema.safeParse(value, DEFINITION);
  pushZod(issues, retryOptionsSchema, result, path);
  return result.success ? result.data : null;
}

function checkParallel(raw: Raw, path: string, issues: Issue[], found: Found): StepDefinition | null {
  const shell = parallelStepShellSchema.safeParse(raw, DEFINITION);
  pushZod(issues, parallelStepShellSchema, shell, path);
  const branches = raw.parallel;
  if (!Array.isArray(branches) || branches.length > MAX_STEPS) return null;
  const parsed: ActionStepDefinition[] = [];
  for (let j = 0; j < branches.length; j++) {
    const branchPath = `${path}.parallel[${j}]`;
    const branch: unknown = branches[j];
    if (!isRaw(branch)) {
      issues.push({
        path: branchPath,
        message: `must be an action step object, got ${describeKind(branch)}`,
      });
      continue;
    }
    const kind = has(branch, 'condition') ? 'condition' : has(branch, 'parallel') ? 'parallel' : null;
    if (kind !== null) {
      issues.push({
        path: branchPath,
        message: `a parallel branch must be an action step, not a ${kind} step`,
      });
      continue;
    }
    const step = checkAction(branch, branchPath, issues, found);
    if (step !== null) parsed.push(step);
  }
  if (!shell.success || parsed.length !== branches.length) return null;
  return { ...shell.data, parallel: parsed };
}

/** Registers every well-formed name (steps and branches) and reports duplicates. */
function checkNames(steps: readonly unknown[], issues: Issue[]): Map<string, NameEntry> {
  const names = new Map<string, NameEntry>();
  const visit = (step: unknown, path: string, parent: string | null): void => {
    if (!isRaw(step) || typeof step.name !== 'string' || !NAME_PATTERN.test(step.name)) return;
    const first = names.get(step.name);
    if (first) {
      issues.push({
        path: `${path}.name`,
        message: `duplicate step name '${step.name}' (first at ${first.path})`,
      });
    } else {
      names.set(step.name, { path, parent, conditional: has(step, 'condition') });
    }
  };
  steps.forEach((step, i) => {
    visit(step, `steps[${i}]`, null);
    if (!isRaw(step) || !Array.isArray(step.parallel) || step.parallel.length > MAX_STEPS) return;
    const parent = typeof step.name === 'string' ? step.name : `steps[${i}]`;
    step.parallel.forEach((branch: unknown, j: number) => {
      visit(branch, `steps[${i}].parallel[${j}]`, parent);
    });
  });
  return names;
}

/** `then`/`else` must name a top-level step. A jump to itself is allowed (loops are bounded at run time). */
function checkJumps(steps: readonly unknown[], names: Map<string, NameEntry>, issues: Issue[]): void {
  steps.forEach((step, i) => {
    if (!isRaw(step) || !has(step, 'condition')) return;
    for (const key of ['then', 'else'] as const) {
      const target = step[key];
      if (typeof target !== 'string' || !NAME_PATTERN.test(target)) continue;
      const entry = names.get(target);
      const path = `steps[${i}].${key}`;
      if (!entry) {
        const topLevel = [...names].filter(([, e]) => e.parent === null).map(([name]) => name);
        issues.push({ path, message: `unknown step ${echo(target)}${didYouMean(target, topLevel)}` });
      } else if (entry.parent !== null) {
        issues.push({
          path,
          message: `step '${target}' is a branch of parallel step '${entry.parent}'; a jump must target a top-level step`,
        });
      }
    }
  });
}
