import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as root from '../../index.js';
import * as api from '../../src/index.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const tsconfig = JSON.parse(readFileSync(new URL('../../tsconfig.json', import.meta.url), 'utf8'));

describe('package root (SPEC §4: built to dist/index.js, which package.json exports points at)', () => {
  it('exports exactly the curated public API of src/index.ts', () => {
    // The same bindings (the same function and class objects), no more, no fewer.
    expect(Object.entries(root)).toEqual(Object.entries(api));
    expect(Object.keys(root).length).toBeGreaterThan(10);
    expect(typeof root.createOrchestrator).toBe('function');
  });

  it('is what package.json points at, and the build emits it to dist/index.js', () => {
    expect(pkg.exports['.']).toEqual({
      types: './dist/index.d.ts',
      import: './dist/index.js',
      default: './dist/index.js', // require() too: Node.js 20.19+ loads an ES module from CommonJS
    });
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts']));
    // index.ts at the root compiles to dist/index.js: rootDir '.', outDir 'dist', and it is included.
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: '.', outDir: 'dist' });
    expect(tsconfig.include).toContain('index.ts');
  });
});

describe('the orchestrator command (SPEC §7: `orchestrator`, also `npx orchestrator`)', () => {
  it('is a bin of the package: the built CLI entry, shipped, and runnable as a script', () => {
    // src/cli/main.ts compiles to dist/src/cli/main.js (rootDir '.', outDir 'dist', as above).
    expect(pkg.bin).toEqual({ orchestrator: './dist/src/cli/main.js' });
    expect(tsconfig.include).toContain('src/**/*.ts');
    expect(pkg.files).toContain('dist/src');
    const main = readFileSync(new URL('../../src/cli/main.ts', import.meta.url), 'utf8');
    expect(main.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
