/**
 * The workers page with no node to list (a `nodes` provider that returns none): it showed the
 * Nodes table's headings over no row, as if the list had failed to load. It now says there is
 * no node, as the other empty panels say what they lack.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

describe('dashboard workers page without nodes', () => {
  it('says there is no node instead of an empty table', async () => {
    const f = await setup({ app: { plugins: [createDashboard({ nodes: () => [] })] } });
    const cookie = await signedInCookie(f);
    for (const url of ['/workers', '/ui/workers']) {
      const res = await f.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<p class="muted empty" data-empty="nodes">No nodes registered.</p>');
      expect(res.body, url).not.toContain('<table class="nodes">');
    }
  });
});
