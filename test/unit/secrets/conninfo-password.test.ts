/**
 * A connection string in libpq's keyword/value form (`host=db user=app password=… dbname=x`),
 * often kept in a DSN variable, is no store URL and is refused; the refusal repeated it whole,
 * password included, wherever it came from: the config's `store`, ORCHESTRATOR_STORE,
 * `new PostgresStore(url)`, the CLI's `--store` (which uses the same masking).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../../src/index.js';
import { redactRefusedUrl, redactUrl } from '../../../src/redact-url.js';
import { cli } from '../../e2e/fixtures/cli-harness.js';
import { refusal } from './refusal.js';

const SECRET = 'HuNt3rTw0';
const plain = `host=db.internal user=app password=${SECRET} dbname=orders`;
const quoted = `host=db.internal password='a b\\' ${SECRET}' dbname=orders`;

afterEach(() => {
  delete process.env.ORCHESTRATOR_STORE;
});

describe('a keyword/value connection string is refused without its password', () => {
  it.each([
    ['plain', plain],
    ['quoted, with an escaped quote and a space', quoted],
  ])('%s: the masking functions hide the value and keep the rest', (_what, dsn) => {
    for (const shown of [redactUrl(dsn), redactRefusedUrl(dsn)]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).toContain('host=db.internal');
      expect(shown).toContain('password=***');
      expect(shown).toContain('dbname=orders');
    }
  });

  it.each([
    ['plain', plain],
    ['quoted', quoted],
  ])('%s: as the config store, ORCHESTRATOR_STORE and the PostgresStore argument', async (_what, dsn) => {
    const asConfig = await refusal(() => createOrchestrator({ store: dsn }));
    expect(asConfig).toMatch(/Invalid config: store: Expected `store`/);
    process.env.ORCHESTRATOR_STORE = dsn;
    const asEnv = await refusal(() => createOrchestrator({}));
    expect(asEnv).toMatch(/ORCHESTRATOR_STORE/);
    const asArgument = await refusal(() => new PostgresStore(dsn));
    expect(asArgument).toMatch(/Invalid PostgresStore arguments: url: /);
    for (const text of [asConfig, asEnv, asArgument]) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain('password=***');
    }
  });

  it('as the CLI --store, text and --json (ORCHESTRATOR_STORE is masked alike)', async () => {
    const runs = await Promise.all([
      cli(['list', '--store', plain]),
      cli(['--json', 'status', 'exec_x', '--store', quoted]),
    ]);
    for (const r of runs) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('password=***');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });
});
