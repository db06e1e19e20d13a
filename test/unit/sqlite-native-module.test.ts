/**
 * The SQLite store's error when the driver's native module cannot be loaded says what to do
 * (`package-consumer.test.ts` runs the unbuilt case for real). A module built for another Node.js
 * fails with Node's own dlopen message, quoted here as Node.js 20 words it.
 */
import { describe, expect, it } from 'vitest';
import { nativeModuleProblem } from '../../src/store/sqlite/errors.js';

describe('nativeModuleProblem', () => {
  it('a module built for another Node.js: rebuild it', () => {
    const message =
      "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
      'was compiled against a different Node.js version using\n' +
      'NODE_MODULE_VERSION 127. This version of Node.js requires\n' +
      'NODE_MODULE_VERSION 115. Please try re-compiling or re-installing\n' +
      'the module (for instance, using `npm rebuild` or `npm install`).';
    expect(nativeModuleProblem(message)).toBe(
      `better-sqlite3's native module was built for another Node.js version (now ${process.version}): run \`npm rebuild better-sqlite3\``,
    );
  });

  it('a module never built: rebuild it, approving its script on npm 11+', () => {
    expect(nativeModuleProblem('Could not locate the bindings file. Tried:\n → /app/…')).toContain(
      "better-sqlite3's native module is not built (its install script did not run)",
    );
  });

  it('any other error: null (the SQLite hints apply)', () => {
    expect(nativeModuleProblem('database is locked')).toBeNull();
    expect(nativeModuleProblem('unable to open database file')).toBeNull();
  });
});
