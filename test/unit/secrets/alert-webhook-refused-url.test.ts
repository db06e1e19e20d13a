/**
 * An alert webhook URL usually carries its secret in the path (Slack-style
 * `/services/T…/B…/<secret>`) or the query. One that does not parse (the scheme forgotten, a bad
 * port) was refused repeating it up to 64 characters, secret included, on `serve`'s stderr; the
 * log names a webhook by its origin only, and so does the refusal now.
 */
import { describe, expect, it } from 'vitest';
import { createAlertWebhook } from '../../../src/server/alert-webhook.js';
import { cli } from '../../e2e/fixtures/cli-harness.js';
import { memoryLogger } from '../../helpers/orchestrator.js';

const SECRET = 'xoxbHookSecret42';

function refusal(url: string): string {
  try {
    createAlertWebhook({ url, logger: memoryLogger() });
  } catch (error) {
    return `${(error as Error).message} ${JSON.stringify(error)}`;
  }
  throw new Error(`accepted ${url}`);
}

describe('a refused alert webhook URL is named by its scheme and host only', () => {
  it.each([
    [
      `hooks.slack.com/services/T0/B0/${SECRET}`,
      "'hooks.slack.com' (its path, query and fragment not shown)",
    ],
    [
      `https://hooks.example.com:99999/x/${SECRET}`,
      "'https://hooks.example.com:99999' (its path, query and fragment not shown)",
    ],
    [
      `https://u:${SECRET}@hooks.example.com:99999?token=${SECRET}`,
      "'https://***@hooks.example.com:99999' (its path, query and fragment not shown)",
    ],
    [
      `https://hooks example.com#${SECRET}`,
      "'https://hooks example.com' (its path, query and fragment not shown)",
    ],
  ])('%s', (url, shown) => {
    const text = refusal(url);
    expect(text).toContain(
      `Invalid alert webhook options: alertWebhook: Expected an absolute http(s) URL, got ${shown}`,
    );
    expect(text).not.toContain(SECRET);
  });

  it('on the stderr of serve --alert-webhook', async () => {
    const r = await cli([
      'serve',
      '--port',
      '0',
      '--store',
      'memory',
      '--alert-webhook',
      `hooks.slack.com/services/T0/B0/${SECRET}`,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("got 'hooks.slack.com' (its path, query and fragment not shown)");
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });
});
