/**
 * Every definition key this release knows is either one of format 1 (what every release reads) or
 * listed in FORMAT_ADDITIONS under the level that added it. A key added to the schema without
 * raising DEFINITION_FORMAT fails here: nodes of the release before it would be sent versions that
 * use the key, and only release them again.
 */
import { describe, expect, it } from 'vitest';
import { DEFINITION_FORMAT, FORMAT_ADDITIONS } from '../../../src/definition/format-levels.js';
import {
  actionStepSchema,
  conditionStepSchema,
  parallelStepSchema,
  retryOptionsSchema,
  workflowOptionsSchema,
} from '../../../src/definition/schema.js';

/** The keys of format 1, as `<place>.<key>`. */
const FORMAT_1 = [
  'action.name',
  'action.action',
  'action.timeout',
  'action.retry',
  'action.compensation',
  'action.input',
  'condition.name',
  'condition.condition',
  'condition.then',
  'condition.else',
  'parallel.name',
  'parallel.timeout',
  'parallel.compensation',
  'parallel.parallel',
  'retry.maxAttempts',
  'retry.initialDelay',
  'retry.backoffCoefficient',
  'retry.maxDelay',
  'retry.nonRetryable',
  'options.timeout',
  'options.description',
];

describe('the definition format levels', () => {
  it('list every key this release knows beyond format 1, at a level up to DEFINITION_FORMAT', () => {
    const shapes = {
      action: actionStepSchema.shape,
      condition: conditionStepSchema.shape,
      parallel: parallelStepSchema.shape,
      retry: retryOptionsSchema.shape,
      options: workflowOptionsSchema.shape,
    };
    const known = Object.entries(shapes).flatMap(([place, shape]) =>
      Object.keys(shape).map((key) => `${place}.${key}`),
    );
    const added = FORMAT_ADDITIONS.flatMap((a) => a.keys ?? []);
    expect(known.filter((key) => !FORMAT_1.includes(key) && !added.includes(key))).toEqual([]);
    for (const a of FORMAT_ADDITIONS) {
      expect(a.level).toBeGreaterThanOrEqual(2);
      expect(a.level).toBeLessThanOrEqual(DEFINITION_FORMAT);
    }
  });
});
