// Copies the non-TypeScript files the built code loads at runtime (the SQL migrations, and the
// dashboard's script and stylesheet under `server/dashboard/assets/`) from `src/` to
// `dist/src/`, keeping their paths. Runs after `tsc` in `npm run build`. An argument names another
// output folder than `dist` (the package test builds into a folder of its own). Its one line of
// report goes to stderr: stdout is kept for what a command run after it prints (`npm run bench --
// --json`).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src');
const to = join(resolve(root, process.argv[2] ?? 'dist'), 'src');
const ASSETS = ['.sql'];
/** Folders copied whole, relative to `src/`. */
const ASSET_DIRS = [join('server', 'dashboard', 'assets')];

const isAsset = (source) =>
  ASSETS.some((ext) => source.endsWith(ext)) ||
  ASSET_DIRS.some((dir) => relative(join(from, dir), source).split(/[\\/]/)[0] !== '..');

let copied = 0;
for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const source = join(entry.parentPath, entry.name);
  if (!isAsset(source)) continue;
  const target = join(to, relative(from, source));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  copied++;
}
console.error(`copy-assets: ${copied} file(s) copied to ${relative(root, to)}`);
