/**
 * A `--handlers` module with a syntax error — in itself or in a module it imports — was refused
 * with Node's message alone (`cannot load handlers module './handlers.js': Unexpected token ';'`):
 * Node 20 keeps the file and line of an ES module's syntax error out of the error it rejects
 * `import()` with, so the user had no way to know where to look, even with ORCHESTRATOR_DEBUG=1.
 * The message now names the file, line and column (`syntax error at /…/lib.mjs:4:3`), found with
 * `node --check`, which parses and runs nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/orchestrator.js';
import { cli } from './fixtures/cli-harness.js';

const NOOP = 'test/e2e/fixtures/cli-noop.json';

/** Writes `files` (name → text) into a fresh directory; returns its path. */
function folder(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Runs `run` with the handlers module `entry` of `dir` on the memory store. */
async function runWith(dir: string, entry: string): Promise<{ code: number | null; stderr: string }> {
  const r = await cli(['run', NOOP, '--handlers', join(dir, entry), '--store', 'memory']);
  return { code: r.code, stderr: r.stderr };
}

describe('a handlers module with a syntax error', () => {
  it('in itself: the error names its file, line and column', async () => {
    const dir = folder({ 'handlers.mjs': 'export const actions = {\n  a: () => "x" ;\n};\n' });
    const file = join(dir, 'handlers.mjs');
    expect(await runWith(dir, 'handlers.mjs')).toEqual({
      code: 2,
      stderr: `error: cannot load handlers module '${file}': Unexpected token ';' (syntax error at ${file}:2:16)\n`,
    });
  });

  it('in a module it imports: the error names that module', async () => {
    const dir = folder({
      'handlers.mjs': "import { services } from './services/index.mjs';\nexport const actions = services;\n",
      'other.mjs': 'export const ok = 1;\n',
    });
    writeFileSync(
      join(tempDirOf(dir, 'services'), 'index.mjs'),
      "import '../other.mjs';\nexport * from './lib.mjs';\n",
    );
    writeFileSync(
      join(dir, 'services', 'lib.mjs'),
      'export const services = {\n  a: () => 1\n  b: () => 2,\n};\n',
    );
    const lib = join(dir, 'services', 'lib.mjs');
    expect(await runWith(dir, 'handlers.mjs')).toEqual({
      code: 2,
      stderr: `error: cannot load handlers module '${join(dir, 'handlers.mjs')}': Unexpected identifier 'b' (syntax error at ${lib}:3:3)\n`,
    });
  });

  it('in a CommonJS module: the error names it too', async () => {
    const dir = folder({
      'handlers.cjs': 'module.exports = {\n\tactions: { a() { return ; } }\n\tb: 1,\n};\n',
    });
    const file = join(dir, 'handlers.cjs');
    expect(await runWith(dir, 'handlers.cjs')).toEqual({
      code: 2,
      stderr: `error: cannot load handlers module '${file}': Unexpected identifier 'b' (syntax error at ${file}:3:2)\n`,
    });
  });

  it('an error other than a syntax error is reported as before', async () => {
    const dir = folder({ 'handlers.mjs': 'throw new Error("no config");\n' });
    expect(await runWith(dir, 'handlers.mjs')).toEqual({
      code: 2,
      stderr: `error: cannot load handlers module '${join(dir, 'handlers.mjs')}': no config\n`,
    });
  });
});

/** Creates the folder `name` in `dir`; returns its path. */
function tempDirOf(dir: string, name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}
