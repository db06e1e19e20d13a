/**
 * The CLI loads a command's implementation only when that command runs: `--version` and `--help`
 * used to load the whole engine, Fastify, pg, better-sqlite3 and the dashboard (≈0.7 s from dist
 * for nothing), and `status` on SQLite loaded Fastify and pg. Each CLI process here records every
 * module it loads (`fixtures/record-modules.mjs`), and the test checks what is not among them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { cli } from './fixtures/cli-harness.js';

/** Modules no command needs before it runs (the engine, the HTTP server and its dashboard are ours). */
const HEAVY = {
  fastify: /\/node_modules\/fastify\//,
  pg: /\/node_modules\/pg\//,
  'better-sqlite3': /\/node_modules\/better-sqlite3\//,
  zod: /\/node_modules\/zod\//,
  engine: /\/src\/(orchestrator|engine\/workflow-engine)\.ts$/,
  server: /\/src\/server\/app\.ts$/,
  dashboard: /\/src\/server\/dashboard\//,
};
type Heavy = keyof typeof HEAVY;

/** Runs the CLI with `args`; returns its exit code and which of `HEAVY` it loaded. */
async function loaded(args: string[]): Promise<{ code: number | null; heavy: Heavy[]; count: number }> {
  const file = join(tempDir(), 'modules.txt');
  const result = await cli(args, {
    NODE_OPTIONS: '--import ./test/e2e/fixtures/record-modules.mjs',
    RECORD_MODULES_FILE: file,
  });
  const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const heavy = (Object.keys(HEAVY) as Heavy[]).filter((name) => urls.some((url) => HEAVY[name].test(url)));
  return { code: result.code, heavy, count: urls.length };
}

describe('orchestrator start-up', () => {
  it('--version and --help load no engine, server, store driver nor zod', async () => {
    const [version, help, serveHelp] = await Promise.all([
      loaded(['--version']),
      loaded(['--help']),
      loaded(['serve', '--help']),
    ]);
    // The recorder ran (commander, at least, is among what it saw).
    expect(version.count).toBeGreaterThan(10);
    expect(version).toMatchObject({ code: 0, heavy: [] });
    expect(help).toMatchObject({ code: 0, heavy: [] });
    expect(serveHelp).toMatchObject({ code: 0, heavy: [] });
  });

  it('status on a SQLite store loads better-sqlite3 but neither Fastify nor pg', async () => {
    const url = tempSqliteUrl();
    const orch = await withOrchestrator({ store: url });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', action: 'noop' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    await orch.workflowEngine.waitForCompletion(id);
    await orch.close();
    const status = await loaded(['--store', url, 'status', id]);
    expect(status.code).toBe(0);
    expect(status.heavy).toContain('better-sqlite3');
    expect(status.heavy).not.toContain('fastify');
    expect(status.heavy).not.toContain('pg');
    expect(status.heavy).not.toContain('server');
    expect(status.heavy).not.toContain('dashboard');
  });
});
