// The bench runs the engine from dist/ when it is built: a build older than src/ must be named,
// or `npx tsx bench/run.ts` after an edit silently measures the old code.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleBuild } from '../../bench/lib/build.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A repository with src/a.ts, src/engine/b.ts and dist/src/index.js at the given times (s). */
function repo(times: { a: number; b: number; built: number }): string {
  const root = mkdtempSync(join(tmpdir(), 'bench-build-'));
  dirs.push(root);
  mkdirSync(join(root, 'src', 'engine'), { recursive: true });
  mkdirSync(join(root, 'dist', 'src'), { recursive: true });
  const file = (path: string, t: number) => {
    writeFileSync(join(root, path), '');
    utimesSync(join(root, path), t, t);
  };
  file('src/a.ts', times.a);
  file('src/engine/b.ts', times.b);
  file('dist/src/index.js', times.built);
  return root;
}

describe('bench build freshness', () => {
  it('names the source file changed after the build', () => {
    expect(staleBuild(repo({ a: 1000, b: 3000, built: 2000 }))).toBe(join('src', 'engine', 'b.ts'));
  });

  it('is quiet for a build newer than every source, and when nothing is built', () => {
    expect(staleBuild(repo({ a: 1000, b: 1500, built: 2000 }))).toBeNull();
    const root = repo({ a: 1000, b: 1500, built: 2000 });
    rmSync(join(root, 'dist'), { recursive: true });
    expect(staleBuild(root)).toBeNull();
  });
});
