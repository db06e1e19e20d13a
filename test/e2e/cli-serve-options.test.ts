/**
 * `orchestrator serve --host ''` (say `--host "$HOST"` with HOST unset) listened on every
 * interface ([::]) instead of refusing, exposing the API beyond the loopback default. An empty,
 * blank or spaced host now exits 2 with a message that says what is expected; nothing listens.
 * Also: bad ports are refused alike, and the defaults are SPEC §7's (8080 on 127.0.0.1).
 */
import { describe, expect, it } from 'vitest';
import { cli } from './fixtures/cli-harness.js';

describe('orchestrator serve --host', () => {
  it.each([[''], ['  '], ['local host']])('refuses --host %j and listens nowhere', async (host) => {
    const r = await cli(['serve', '--store', 'memory', '--port', '0', '--host', host]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: option '--host <host>' argument .* is invalid\. Expected an address to listen on \(such as 127\.0\.0\.1, or 0\.0\.0\.0 for every interface\)\.\n/,
    );
  });

  // It failed only when listening, after the start-up, on a DNS lookup of it: exit 1.
  it.each([['999.1.1.1'], ['127.0.0.1.5']])(
    'refuses --host %s, digits that make no IPv4 address, as a usage error',
    async (host) => {
      const r = await cli(['serve', '--store', 'memory', '--port', '0', '--host', host]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        `error: option '--host <host>' argument '${host}' is invalid. Expected an IPv4 address (four numbers from 0 to 255, such as 127.0.0.1).`,
      );
    },
  );
});

describe('orchestrator serve --port', () => {
  // Its message began in lower case ('is invalid. expected a port number'), unlike every other
  // option's 'Expected …'.
  it.each([['99999'], ['-1'], ['http']])(
    'refuses --port %j as the other options refuse theirs',
    async (port) => {
      const r = await cli(['serve', '--store', 'memory', '--port', port]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^error: option '--port <port>' argument .* is invalid\. Expected a port number from 0 to 65535 \(0: any free port\)\.\n/,
      );
    },
  );
});

describe('orchestrator serve defaults', () => {
  // SPEC §7: `serve [--port 8080] [--host 127.0.0.1]`. Every test serves on --port 0, so only the
  // help pins the port default (the banners of tests that pass no --host pin the host).
  it('listens on port 8080 of 127.0.0.1 unless told otherwise', async () => {
    const r = await cli(['serve', '--help']);
    expect(r.code).toBe(0);
    // The help wraps at 80 columns wherever its longest option puts the descriptions.
    expect(r.stdout).toMatch(/--port <port>\s+port to listen on \(0: any free port\)\s+\(default:\s+8080\)/);
    expect(r.stdout).toMatch(/--host <host>\s+address to listen on\s+\(default:\s+"127\.0\.0\.1"\)/);
  });
});

describe('orchestrator serve --alert-webhook', () => {
  // Its refusal named the library's option ('alertWebhook: Expected …'), not the flag typed.
  it.each([
    ['not a url', "Expected an absolute http(s) URL, got 'not a url'"],
    ['ftp://x.example', "Expected an http(s) URL, got scheme 'ftp:'"],
  ])('refuses %j naming --alert-webhook, and listens nowhere', async (url, why) => {
    const r = await cli(['serve', '--store', 'memory', '--port', '0', '--alert-webhook', url]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: --alert-webhook: ${why}\n`);
  });
});

describe('orchestrator serve --http-allow', () => {
  // `a,,b` allowed `a` and `b` and `','` allowed nothing, the empty entry dropped without a word.
  it.each([
    [['serve', '--port', '0'], '127.0.0.1,,api.local', 'Entry 2 of 3 is empty'],
    [['run', 'test/e2e/fixtures/cli-noop.json'], ',', 'Entry 1 of 2 is empty'],
  ])('%j refuses --http-allow %j naming the option and the empty entry', async (args, hosts, problem) => {
    const r = await cli([...args, '--store', 'memory', '--http-allow', hosts]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `error: option '--http-allow <hosts>' argument '${hosts}' is invalid. ${problem}`,
    );
  });

  // Its refusal named the config key and the entry's place in the list merged with a config
  // file's ('Invalid config: httpAllowlist[0]: …'), not the flag typed.
  it('refuses an entry that could never match, naming --http-allow', async () => {
    const r = await cli([
      'serve',
      '--store',
      'memory',
      '--port',
      '0',
      '--http-allow',
      'api.local,http://x.example:81',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: --http-allow: 'http://x.example:81' is a URL: give its host alone ('x.example'); ports are not matched\n",
    );
  });
});

describe('orchestrator serve --remote-actions', () => {
  // `a,,b` served `a` and `b` and `''` served none, the empty entry dropped without a word.
  it.each([['stt,,tts'], ['']])('refuses %j naming the option and the empty entry', async (names) => {
    const r = await cli(['serve', '--store', 'memory', '--port', '0', '--remote-actions', names]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: option '--remote-actions <names>' argument .* is invalid\. (Entry 2 of 3 is empty|Expected comma-separated action names, got an empty value)/,
    );
  });
});
