/**
 * A long-running process that redefines a workflow (a deploy script, clients posting definitions
 * over HTTP) kept the compiled plan of every version it defined or read, so its heap grew with
 * every redefinition (measured: about 7 KB per version of a three-step workflow, 150 KB of a
 * 60-step one). Superseded versions' plans are now kept for the most recently used few only, and
 * compiled again when needed.
 */
import { expect, it, vi } from 'vitest';
import * as plan from '../../src/definition/plan.js';
import { DefinitionRegistry, MAX_OLDER_COMPILED } from '../../src/engine/definitions.js';
import { FakeClock, MemoryStore } from '../../src/index.js';

vi.mock(import('../../src/definition/plan.js'), async (importOriginal) => {
  const original = await importOriginal();
  return { ...original, compilePlan: vi.fn(original.compilePlan) };
});

const DEFAULTS = { retryAttempts: 3, retryDelay: 1, workflowTimeout: 60 };

it('keeps compiled plans of at most MAX_OLDER_COMPILED superseded versions, compiling an evicted one again', async () => {
  const registry = new DefinitionRegistry(new MemoryStore(), DEFAULTS, new FakeClock());
  const versions = MAX_OLDER_COMPILED * 3;
  for (let v = 1; v <= versions; v++) await registry.define('w', [{ name: 'a' }], { timeout: v });
  const compiled = vi.mocked(plan.compilePlan);
  compiled.mockClear();
  // Every version still answers with its own plan (read newest first: each one compiled again
  // evicts the least recently used, which a read in ascending order would be the next to read).
  for (let v = versions; v >= 1; v--) expect(registry.cachedPlan('w', v)?.timeoutMs).toBe(v * 1000);
  // Those defined first were dropped; the newest superseded ones and the latest were kept.
  expect(compiled.mock.calls.length).toBe(versions - 1 - MAX_OLDER_COMPILED);
  // A version read again is kept (least recently used goes first), the latest always.
  compiled.mockClear();
  const recent = registry.cachedPlan('w', 1);
  expect(registry.cachedPlan('w', 1)).toBe(recent);
  expect((await registry.latest('w'))?.plan?.timeoutMs).toBe(versions * 1000);
  expect(compiled).not.toHaveBeenCalled();
});
