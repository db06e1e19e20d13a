/**
 * The config's duplicate check of `workers` compared every id with every one before it
 * (`indexOf` per id): 40,000 ids took seconds, 300,000 minutes and a million most of an hour,
 * blocking `createOrchestrator`. It is now one pass; the duplicate is still named.
 */
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/config.js';

const MANY = 300_000;

describe('a long workers list', () => {
  it(`checks ${MANY} worker ids in one pass, naming a duplicate at the end`, () => {
    const workers = Array.from({ length: MANY }, (_, i) => `worker_${i}`);
    expect(compileConfig({ workers }).workers).toHaveLength(MANY);
    expect(() => compileConfig({ workers: [...workers, 'worker_0'] })).toThrow(
      'Invalid config: workers: Expected `workers` to have no duplicate ids, got "worker_0" twice',
    );
  }, 30_000);
});
