/**
 * Per-test resources of the in-process cluster tests on the test PostgreSQL server: cleanups run
 * after each test (newest first), and fresh schemas dropped by them. Registers the hooks; call
 * once at the top of a test file.
 * @module
 */
import { afterEach, beforeEach } from 'vitest';
import { assertServerReachable, dropSchema, freshSchema } from '../store/pg-fixture.js';

export interface PerTest {
  /** Runs `fn` after the current test. */
  later(fn: () => Promise<unknown> | unknown): void;
  /** A fresh schema, dropped after the current test. */
  schema(): string;
}

export function perTest(): PerTest {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  beforeEach(assertServerReachable);
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  return {
    later: (fn) => {
      cleanups.push(fn);
    },
    schema: () => {
      const schema = freshSchema();
      cleanups.push(() => dropSchema(schema));
      return schema;
    },
  };
}
