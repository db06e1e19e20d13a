/**
 * Defining a workflow serializes it to canonical JSON (to compare with the stored version) once:
 * it was serialized again when the new version was compiled, a second pass over the whole
 * definition (about 5% of defineWorkflow's CPU time for 100 parallel steps of 1,000 branches).
 */
import { describe, expect, it, vi } from 'vitest';
import * as canonicalModule from '../../src/definition/canonical.js';
import { DefinitionRegistry } from '../../src/engine/definitions.js';
import { FakeClock, MemoryStore } from '../../src/index.js';

vi.mock(import('../../src/definition/canonical.js'), async (importOriginal) => {
  const original = await importOriginal();
  return { ...original, canonicalDefinitionJson: vi.fn(original.canonicalDefinitionJson) };
});

const DEFAULTS = { retryAttempts: 3, retryDelay: 1, workflowTimeout: 60 };

describe('defining a workflow', () => {
  it('serializes the definition to canonical JSON once', async () => {
    const registry = new DefinitionRegistry(new MemoryStore(), DEFAULTS, new FakeClock());
    const canonical = vi.mocked(canonicalModule.canonicalDefinitionJson);
    canonical.mockClear();
    const steps = [{ name: 'a' }, { name: 'p', parallel: [{ name: 'b1' }, { name: 'b2' }] }];
    expect((await registry.define('w', steps)).version).toBe(1);
    expect(canonical).toHaveBeenCalledTimes(1);
    // The same definition again is the same version: the stored one compares equal.
    canonical.mockClear();
    expect((await registry.define('w', steps)).version).toBe(1);
    expect(canonical).toHaveBeenCalledTimes(1);
    expect((await registry.define('w', [{ name: 'a' }])).version).toBe(2);
    expect((await registry.latest('w'))?.plan?.steps.map((s) => s.name)).toEqual(['a']);
  });
});
