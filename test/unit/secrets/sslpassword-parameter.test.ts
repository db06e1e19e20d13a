/**
 * libpq's `sslpassword` (the passphrase of the client key) in a store URL's query: the driver does
 * not read it, so the URL is refused naming the parameter, and the refusal (and the CLI's purge
 * prompt, which names the store before opening it) repeated the URL with the passphrase.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../../src/index.js';
import { redactUrl } from '../../../src/redact-url.js';
import { cli } from '../../e2e/fixtures/cli-harness.js';
import { refusal } from './refusal.js';

const SECRET = 'K3yPa55phrase';
const URL_WITH_IT = `postgres://app@db.internal:5432/orders?sslmode=require&sslpassword=${SECRET}`;

describe('a ?sslpassword= parameter is masked', () => {
  it('by redactUrl, any case or encoding', () => {
    expect(redactUrl(URL_WITH_IT)).toBe(
      'postgres://***@db.internal:5432/orders?sslmode=require&sslpassword=***',
    );
    expect(redactUrl(`postgres://db/x?SSLPass%77ord=${SECRET}`)).toBe('postgres://db/x?SSLPass%77ord=***');
  });

  it('in the refusal of the config store and of the PostgresStore argument', async () => {
    const asConfig = await refusal(() => createOrchestrator({ store: URL_WITH_IT }));
    const asArgument = await refusal(() => new PostgresStore(URL_WITH_IT));
    for (const text of [asConfig, asArgument]) {
      expect(text).toContain('"sslpassword" is not one the driver reads');
      expect(text).toContain('sslpassword=***');
      expect(text).not.toContain(SECRET);
    }
  });

  it("in the CLI's purge prompt and its refusal", async () => {
    const runs = await Promise.all([
      cli(['purge', '--older-than', '1d', '--store', URL_WITH_IT]),
      cli(['--json', 'list', '--store', URL_WITH_IT]),
    ]);
    for (const r of runs) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('sslpassword=***');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });
});
