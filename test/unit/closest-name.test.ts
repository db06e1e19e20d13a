/**
 * "Did you mean …?" beside an unknown key: `closestName` picks the known name a misspelt one
 * stands for, `objectKeysAt` finds the known names of the object at a zod issue's path, and every
 * surface that refuses unknown keys (config, definition, options objects) names the meant key.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closestName, didYouMean } from '../../src/closest-name.js';
import { validateDefinition } from '../../src/definition/validate.js';
import { ValidationError } from '../../src/errors.js';
import { createOrchestrator } from '../../src/index.js';
import { objectKeysAt } from '../../src/zod-object-keys.js';

function issuesOf(call: () => unknown): { path: string; message: string }[] {
  try {
    call();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('closestName', () => {
  const keys = ['retry', 'timeout', 'maxAttempts', 'compensation', 'input'];

  it('finds a swap, a missing, an extra or a replaced character, and a different case', () => {
    expect(closestName('retyr', keys)).toBe('retry');
    expect(closestName('maxAtempts', keys)).toBe('maxAttempts');
    expect(closestName('timeouts', keys)).toBe('timeout');
    expect(closestName('compensatoin', keys)).toBe('compensation');
    expect(closestName('imput', keys)).toBe('input');
    expect(closestName('MAXATTEMPTS', keys)).toBe('maxAttempts');
  });

  it('suggests nothing for a word too far from every name, empty, or very long', () => {
    expect(closestName('colour', keys)).toBeNull();
    expect(closestName('abc', keys)).toBeNull();
    expect(closestName('', keys)).toBeNull();
    expect(closestName('retry'.repeat(20), ['retry'.repeat(20).slice(1)])).toBeNull();
    expect(closestName('retyr', [])).toBeNull();
  });

  it('allows more edits for longer words: none below three characters, one up to five, then a third of the length', () => {
    expect(closestName('b', ['a'])).toBeNull();
    expect(closestName('ab', ['ac'])).toBeNull();
    expect(closestName('ab', ['AB'])).toBe('AB');
    expect(closestName('abc', ['abd'])).toBe('abd');
    expect(closestName('abcdef', ['abcdxy'])).toBe('abcdxy');
    expect(closestName('abcde', ['abcxy'])).toBeNull();
  });

  it('takes the closest, and the first given of equally close ones', () => {
    expect(closestName('tmeout', ['timeouts', 'timeout'])).toBe('timeout');
    expect(closestName('cat', ['bat', 'car'])).toBe('bat');
    expect(closestName('cat', ['car', 'bat'])).toBe('car');
  });

  it('words the suggestion for a message, quoting as messages do', () => {
    expect(didYouMean('retyr', keys)).toBe(" (did you mean 'retry'?)");
    expect(didYouMean('colour', keys)).toBe('');
  });
});

describe('objectKeysAt', () => {
  const node: z.ZodType = z.lazy(() =>
    z.strictObject({ name: z.string(), children: z.array(node).optional() }),
  );
  const schema = z.strictObject({
    steps: z.array(
      z.union([z.strictObject({ action: z.string() }), z.strictObject({ condition: z.string() })]),
    ),
    options: z.strictObject({ timeout: z.number() }).optional(),
    headers: z.record(z.string(), z.strictObject({ value: z.string() })).default({}),
    tree: node,
  });

  it('names the keys of the object at a path, through arrays, unions, records, wrappers and lazy schemas', () => {
    expect(objectKeysAt(schema, [])).toEqual(['steps', 'options', 'headers', 'tree']);
    expect(objectKeysAt(schema, ['steps', 3])).toEqual(['action', 'condition']);
    expect(objectKeysAt(schema, ['options'])).toEqual(['timeout']);
    expect(objectKeysAt(schema, ['headers', 'x-any'])).toEqual(['value']);
    expect(objectKeysAt(schema, ['tree', 'children', 0, 'children', 1])).toEqual(['name', 'children']);
  });

  it('is empty for a path that leads to no object', () => {
    expect(objectKeysAt(schema, ['nope'])).toEqual([]);
    expect(objectKeysAt(schema, ['steps', 'x'])).toEqual([]);
    expect(objectKeysAt(z.string(), [])).toEqual([]);
    expect(objectKeysAt(schema, ['options', 'timeout', 'deeper'])).toEqual([]);
  });
});

describe('unknown keys name the key that was meant', () => {
  it('in a definition: a condition step, a parallel branch and the workflow options', () => {
    const issues = issuesOf(() =>
      validateDefinition(
        'w',
        [
          // biome-ignore lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
          { name: 'check', condition: 'true', then: 'fan', elze: 'fan' },
          { name: 'fan', parallel: [{ name: 'a', action: 'x', timeuot: 5 }] },
        ],
        { descripton: 'x' },
      ),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'steps[0].elze', message: "unknown key 'elze' (did you mean 'else'?)" },
        { path: 'steps[1].parallel[0].timeuot', message: "unknown key 'timeuot' (did you mean 'timeout'?)" },
        { path: 'options.descripton', message: "unknown key 'descripton' (did you mean 'description'?)" },
      ]),
    );
  });

  it('in the config, and not for a key unlike any config key', async () => {
    const error = await createOrchestrator({
      store: 'memory',
      maxConcurentWorkflows: 5,
      colour: 'red',
    } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      {
        path: 'maxConcurentWorkflows',
        message: "unknown key 'maxConcurentWorkflows' (did you mean 'maxConcurrentWorkflows'?)",
      },
      { path: 'colour', message: "unknown key 'colour'" },
    ]);
  });
});

describe('unknown step names name the step that was meant', () => {
  it('in a jump target (top-level steps only) and in an expression', () => {
    const issues = issuesOf(() =>
      validateDefinition('w', [
        // biome-ignore lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
        { name: 'check', condition: 'true', then: 'charg', else: 'brnch' },
        { name: 'charge', action: 'x', input: 'steps.fetc.output' },
        { name: 'fan', parallel: [{ name: 'branch', action: 'x' }] },
        { name: 'fetch', action: 'x', input: 'steps.zzzz.output' },
      ]),
    );
    expect(issues).toEqual([
      { path: 'steps[0].then', message: "unknown step 'charg' (did you mean 'charge'?)" },
      { path: 'steps[0].else', message: "unknown step 'brnch'" },
      { path: 'steps[1].input', message: "unknown step 'fetc' (did you mean 'fetch'?)" },
      { path: 'steps[3].input', message: "unknown step 'zzzz'" },
    ]);
  });
});
