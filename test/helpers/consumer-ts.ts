/**
 * The compiler options of a consumer with the strictest usual settings (`strict`,
 * `noUncheckedIndexedAccess`, `exactOptionalPropertyTypes`), for the tests that compile code
 * against the package's types: the docs' samples and test/types/.
 * @module
 */
import ts from 'typescript';

/** Options for `ts.createProgram` (no emit). */
export const CONSUMER_COMPILER_OPTIONS: ts.CompilerOptions = Object.freeze({
  target: ts.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  types: ['node'],
  noEmit: true,
});
