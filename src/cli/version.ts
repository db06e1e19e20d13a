/**
 * The package version for `--version`, read from the nearest `package.json` above this file
 * (works from `src/cli/` under tsx and from `dist/src/cli/` once built).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version of the `orchestrator` package, or `0.0.0` if it cannot be found. */
export function packageVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'orchestrator' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // Not the package file we want: keep looking upwards.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
