/**
 * `--json serve` (SPEC §7: `--json` on every command for scripts; `serve` generates a token when
 * `ORCHESTRATOR_API_TOKEN` is unset and prints it): the banner is one JSON document a script can
 * read the URL and the generated token from, and the token opens the API. A token from the
 * environment is not repeated in it.
 */
import { describe, expect, it } from 'vitest';
import { parseJson, startCli } from './fixtures/cli-harness.js';

interface Banner {
  url: string;
  store: string;
  tokenSource: 'env' | 'generated';
  token?: string;
}

async function banner(
  env: NodeJS.ProcessEnv,
): Promise<{ doc: Banner; stderr: () => string; stop: () => Promise<number | null> }> {
  const server = startCli(['--json', 'serve', '--port', '0', '--store', 'memory'], env);
  await server.waitFor(/\}\s*$/, 30_000);
  const doc = parseJson<Banner>(server.stdout());
  return {
    doc,
    stderr: server.stderr,
    stop: async () => {
      server.child.kill('SIGTERM');
      return (await server.exited).code;
    },
  };
}

describe('orchestrator --json serve', () => {
  it('prints the URL and the generated token as JSON, and that token opens the API', async () => {
    const { doc, stop } = await banner({ ORCHESTRATOR_API_TOKEN: undefined });
    try {
      expect(doc).toMatchObject({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        store: 'memory',
      });
      expect(doc.tokenSource).toBe('generated');
      expect(doc.token).toMatch(/^\S{32,}$/);
      const ok = await fetch(`${doc.url}/v1/workflows`, {
        headers: { authorization: `Bearer ${doc.token}` },
      });
      expect(ok.status).toBe(200);
      const refused = await fetch(`${doc.url}/v1/workflows`, { headers: { authorization: 'Bearer wrong' } });
      expect(refused.status).toBe(401);
    } finally {
      expect(await stop()).toBe(0);
    }
  });

  it('does not repeat a token that came from ORCHESTRATOR_API_TOKEN', async () => {
    const { doc, stop } = await banner({ ORCHESTRATOR_API_TOKEN: 'tok-json-banner-123456' });
    try {
      expect(doc.tokenSource).toBe('env');
      expect(doc).not.toHaveProperty('token');
      const ok = await fetch(`${doc.url}/v1/workflows`, {
        headers: { authorization: 'Bearer tok-json-banner-123456' },
      });
      expect(ok.status).toBe(200);
    } finally {
      expect(await stop()).toBe(0);
    }
  });

  it('warns of a token from ORCHESTRATOR_API_TOKEN short enough to guess, and still serves with it', async () => {
    const short = await banner({ ORCHESTRATOR_API_TOKEN: 'tok-short-15chr', ORCHESTRATOR_LOG_LEVEL: 'warn' });
    try {
      const ok = await fetch(`${short.doc.url}/v1/workflows`, {
        headers: { authorization: 'Bearer tok-short-15chr' },
      });
      expect(ok.status).toBe(200);
      const warning = short
        .stderr()
        .split('\n')
        .filter((line) => line.includes('ORCHESTRATOR_API_TOKEN'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; length: number });
      expect(warning).toEqual([
        expect.objectContaining({
          level: 40,
          length: 15,
          msg: expect.stringMatching(
            /^ORCHESTRATOR_API_TOKEN is only 15 characters, short enough to guess: use 16 or more/,
          ),
        }),
      ]);
      // The warning says how long the token is, never what it is.
      expect(short.stderr()).not.toContain('tok-short-15chr');
    } finally {
      expect(await short.stop()).toBe(0);
    }
    const long = await banner({
      ORCHESTRATOR_API_TOKEN: 'tok-long-enough16',
      ORCHESTRATOR_LOG_LEVEL: 'warn',
    });
    try {
      expect(long.stderr()).not.toContain('ORCHESTRATOR_API_TOKEN');
    } finally {
      expect(await long.stop()).toBe(0);
    }
  });
});
