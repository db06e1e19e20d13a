// bench:compare refuses a peer row run-all.sh does not list before it installs the peers copy
// (`npm ci`, a minute or more the first time): a misspelt name was refused only after it.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from '../helpers/child.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// A peers copy never installed (no node_modules, no install stamp): `npm ci` would run in it.
const peers = mkdtempSync(join(tmpdir(), 'bench-uninstalled-peers-'));
afterAll(() => rmSync(peers, { recursive: true, force: true }));
mkdirSync(join(peers, 'lib'), { recursive: true });
writeFileSync(join(peers, 'lib', 'harness.mjs'), '');
writeFileSync(
  join(peers, 'run-all.sh'),
  `if [[ "\${1:-}" == "--list" ]]; then echo bullmq; exit 0; fi\nexit 1\n`,
);
chmodSync(join(peers, 'run-all.sh'), 0o755);

describe('bench:compare --peers with a name run-all.sh does not list', () => {
  it('is refused before the peers copy is installed', async () => {
    const { code, stdout, stderr } = await runScript(
      join(root, 'bench', 'compare.ts'),
      ['--rows', '', '--peers', 'bulmq', '--quiet', 'off'],
      { cwd: root, env: { BENCH_PEERS_SRC: join(peers, 'no-such-source'), BENCH_PEERS_DIR: peers } },
    );
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--peers: unknown peer row "bulmq": run-all.sh lists bullmq');
    expect(stderr).not.toContain('npm ci');
  });
});
