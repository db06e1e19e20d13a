import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

const TESTS = 'test/**/*.test.ts';

/** Every test file under `dir`, as a path relative to the repository. */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

// The files that replace a module (`vi.mock`, `vi.doMock`) run each in a fresh process: a module
// replaced there must not be the one other files already loaded, nor stay replaced for them.
// Every other file shares its worker's modules with the files before it (`isolate: false`): a
// fresh process and module graph per file cost about a second each, more than most files' tests.
const replacesModules = testFiles('test').filter((file) =>
  /\bvi\.(?:mock|doMock)\(/.test(readFileSync(file, 'utf8')),
);

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { ORCHESTRATOR_LOG_LEVEL: 'silent' },
    pool: 'forks',
    // Two files at a time (left to itself, vitest ran one at a time on this 2-core machine): the
    // suite's time is mostly waiting (child processes, PostgreSQL, timers), not this process's CPU.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: [TESTS],
          exclude: [...configDefaults.exclude, ...replacesModules],
          isolate: false,
        },
      },
      { extends: true, test: { name: 'isolated', include: replacesModules, isolate: true } },
    ],
  },
});
