/**
 * `serve`'s banner (stdout) follows the log lines (stderr) logged before it, when both streams go
 * to one terminal or file: with pino's asynchronous destination it landed among them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN, runToFiles } from './fixtures/serve-to-files.js';

const dir = mkdtempSync(join(tmpdir(), 'orch-serve-banner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKFLOWS = 40;

describe('orchestrator serve: banner order', () => {
  it('prints the banner after every log line of its start, on an output both streams share', async () => {
    writeFileSync(join(dir, 'handlers.mjs'), 'export const actions = { touch: () => ({}) };\n');
    mkdirSync(join(dir, 'workflows'));
    for (let i = 0; i < WORKFLOWS; i++) {
      writeFileSync(
        join(dir, 'workflows', `wf-${i}.json`),
        JSON.stringify({ id: `wf-${i}`, steps: [{ name: 'only', action: 'touch' }] }),
      );
    }
    const file = join(dir, 'out.log');
    const run = runToFiles(
      [
        MAIN,
        'serve',
        '--port',
        '0',
        '--store',
        'memory',
        '--handlers',
        join(dir, 'handlers.mjs'),
        '--workflows',
        join(dir, 'workflows'),
      ],
      file,
      file,
      { ORCHESTRATOR_API_TOKEN: 'a-token-of-enough-length-0123456789' },
    );
    try {
      const lines = (await run.banner()).split('\n');
      const banner = lines.findIndex((line) => line.startsWith('Orchestrator API listening on '));
      const logged = lines
        .map((line, index) => ({
          index,
          msg: line.startsWith('{') ? (JSON.parse(line) as { msg?: string }).msg : undefined,
        }))
        .filter((line) => line.msg === 'workflow defined' || line.msg === 'orchestrator listening');
      expect(logged.filter((line) => line.msg === 'workflow defined')).toHaveLength(WORKFLOWS);
      expect(logged.filter((line) => line.msg === 'orchestrator listening')).toHaveLength(1);
      expect(banner).toBeGreaterThan(-1);
      expect(logged.filter((line) => line.index > banner)).toEqual([]);
      // The banner's lines stay together.
      expect(lines[banner + 1]).toMatch(/^ {2}API token: from ORCHESTRATOR_API_TOKEN$/);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 60_000);
});
