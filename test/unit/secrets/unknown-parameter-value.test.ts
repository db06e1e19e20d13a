/**
 * A store URL parameter the driver does not read is refused naming it, and the refusal repeated
 * the URL with that parameter's value: a password under a mistyped key (`?passwd=`, `?pwd=`,
 * `?pass%77d=`) was shown whole. The refused parameters are now shown by name only.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../../src/index.js';
import { refusal } from './refusal.js';

const SECRET = 'MisTypedPw77';

describe('a refused store URL parameter is shown without its value', () => {
  it.each([
    [
      'passwd',
      `postgres://app@db.internal/orders?sslmode=require&passwd=${SECRET}`,
      '?sslmode=require&passwd=***',
    ],
    ['pwd, twice', `postgres://app@db.internal/orders?pwd=${SECRET}&pwd=${SECRET}x`, '?pwd=***&pwd=***'],
    ['encoded key', `postgres://app@db.internal/orders?pass%77d=${SECRET}#f`, '?pass%77d=***#f'],
  ])('%s', async (_what, url, shownQuery) => {
    const asConfig = await refusal(() => createOrchestrator({ store: url }));
    const asArgument = await refusal(() => new PostgresStore(url));
    for (const text of [asConfig, asArgument]) {
      expect(text).toContain(`postgres://***@db.internal/orders${shownQuery}`);
      expect(text).toContain('is not one the driver reads');
      expect(text).not.toContain(SECRET);
    }
  });

  it('keeps the values of the parameters it does not refuse', async () => {
    const text = await refusal(
      () => new PostgresStore('postgres://db/x?sslmode=require&application_name=me&bogus=1'),
    );
    expect(text).toContain('postgres://db/x?sslmode=require&application_name=me&bogus=***');
  });
});
