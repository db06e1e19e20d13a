/**
 * The package root as SPEC §4 names it: `npm run build` compiles this file to `dist/index.js`,
 * which `package.json` `exports` points at. The public API itself, with its TSDoc, is curated in
 * `src/index.ts`.
 * @module
 */
export * from './src/index.js';
