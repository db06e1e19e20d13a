// bench:compare with a peer whose run-all.sh run fails before printing its row (a server that does
// not start, a setup step under `set -e`): the peer must show as FAILED, not vanish from the tables
// or end the whole run without a summary.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript, type ScriptRun } from '../helpers/child.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const peers = mkdtempSync(join(tmpdir(), 'bench-fake-peers-'));
const peerResults = join(root, 'bench', 'results', 'peers');
afterAll(() => {
  rmSync(peers, { recursive: true, force: true });
  for (const f of readdirSync(peerResults)) {
    if (f.startsWith('run-fake-peers-')) rmSync(join(peerResults, f));
  }
});

// A peers copy that counts as installed (no lock file: its hash is "none") whose run-all.sh lists
// two rows and fails both: `dies` before opening its results file, `empty` after.
mkdirSync(join(peers, 'lib'), { recursive: true });
mkdirSync(join(peers, 'node_modules'));
writeFileSync(join(peers, 'lib', 'harness.mjs'), '');
writeFileSync(join(peers, '.bench-installed-lock.sha256'), 'none\n');
writeFileSync(
  join(peers, 'run-all.sh'),
  `if [[ "\${1:-}" == "--list" ]]; then echo dies; echo empty; exit 0; fi
if [[ "$PEERS" == "empty" ]]; then mkdir -p "$BENCH_RESULTS_DIR"; : >"$BENCH_RESULTS_DIR/run-fake-peers-$$.jsonl"; fi
echo "[run-all 00:00:00] redis on 6380 did not start" >&2
exit 1
`,
);
chmodSync(join(peers, 'run-all.sh'), 0o755);

function compare(args: string[]): Promise<ScriptRun> {
  return runScript(join(root, 'bench', 'compare.ts'), args, {
    cwd: root,
    env: { BENCH_PEERS_SRC: join(peers, 'no-such-source'), BENCH_PEERS_DIR: peers },
  });
}

describe('bench:compare, a peer that fails outside its row', () => {
  it('records the peer as failed with the cause, and still prints the summary', async () => {
    const { code, stdout, stderr } = await compare([
      '--rows',
      '',
      '--peers',
      'dies,empty',
      '--quiet',
      'off',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const lines = stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = lines.filter((l) => !('summary' in l));
    expect(rows.map((r) => r.row)).toEqual(['dies', 'empty']);
    for (const r of rows) {
      expect(r.error).toBe('run-all.sh printed no result for the row (exit 1)');
      expect(r.error_text).toContain('redis on 6380 did not start');
    }
    const summary = lines.find((l) => 'summary' in l)?.summary as { results_file?: string } | undefined;
    expect(summary?.results_file).toMatch(/compare-[\d-]+\.jsonl$/);
    // The run's results file is this test's to remove: it was left in bench/results/.
    rmSync(summary!.results_file!, { force: true });
  }, 30_000);
});
