/**
 * The dashboard's `secret` (the key its session cookies are signed with) refused for its type was
 * repeated in the refusal: `secret: 8374629183` (a key read as a number) was shown whole on the
 * service's stderr. A refused `secret` is now named by its kind only.
 */
import { describe, expect, it } from 'vitest';
import { createDashboard } from '../../../src/server/dashboard/index.js';
import { refusal } from './refusal.js';

describe('a refused dashboard secret is named by its kind', () => {
  it.each([
    [8374629183, 'a number'],
    [BigInt('8374629183'), 'a bigint'],
    [true, 'a boolean'],
  ])('%s', async (secret, kind) => {
    const text = await refusal(() => createDashboard({ secret } as never));
    expect(text).toContain(
      `Invalid dashboard options: secret: Expected \`secret\` to be a non-empty string or Buffer, got ${kind}`,
    );
    expect(text).not.toContain('8374629183');
  });

  it('other refused options still show their value', async () => {
    const text = await refusal(() => createDashboard({ pageSize: 0 }));
    expect(text).toContain('got 0');
  });
});
