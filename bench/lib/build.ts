/**
 * Whether the engine build the rows run is current. `engine-peer.ts` runs the engine from `dist/`
 * when it is built (what users run); `npm run bench` builds first, but `npx tsx bench/run.ts` and
 * the other commands run whatever `dist/` holds, so an edit of `src/` after the last build would be
 * measured as the old code without a word.
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './peers.js';

/** The most recently modified file under `dir` (null when there is none). */
function newestFile(dir: string): { path: string; mtimeMs: number } | null {
  let best: { path: string; mtimeMs: number } | null = null;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(path);
    if (!best || mtimeMs > best.mtimeMs) best = { path, mtimeMs };
  }
  return best;
}

/**
 * The source file (relative to `root`) changed after the newest file of `dist/src/`, or null when
 * the build is current or there is none (the rows then run `src/` through tsx).
 */
export function staleBuild(root = repoRoot): string | null {
  const dist = join(root, 'dist', 'src');
  if (!existsSync(join(dist, 'index.js'))) return null;
  const built = newestFile(dist);
  const source = newestFile(join(root, 'src'));
  return built && source && source.mtimeMs > built.mtimeMs ? relative(root, source.path) : null;
}

/**
 * Warns (through `log`) when the engine rows would run a `dist/` older than `src/`, unless another
 * build (`BENCH_ENGINE_DIST`) or the sources (`BENCH_ENGINE_SOURCE=1`) were asked for.
 */
export function warnIfStaleBuild(log: (msg: string) => void): void {
  if (process.env.BENCH_ENGINE_DIST || process.env.BENCH_ENGINE_SOURCE === '1') return;
  const changed = staleBuild();
  if (changed) {
    log(
      `WARNING: dist/ is older than ${changed}: the engine rows run the previous build. Run \`npm run build\` first (npm run bench does), or set BENCH_ENGINE_SOURCE=1 to run src/ through tsx`,
    );
  }
}
