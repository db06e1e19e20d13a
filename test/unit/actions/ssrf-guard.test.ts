/**
 * The SSRF guard: schemes, internal names, resolved addresses (every answer must be public),
 * the allowlist forms, and the single resolution whose answer the connection is pinned to.
 */
import { describe, expect, it } from 'vitest';
import {
  allowlistEntryProblem,
  hostNameBlockReason,
  type ResolvedAddress,
  SsrfGuard,
} from '../../../src/actions/ssrf-guard.js';
import { NonRetryableError, OrchestratorError } from '../../../src/errors.js';

function resolver(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    calls.push(host);
    const answers = table[host];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, calls };
}

async function refusal(guard: SsrfGuard, url: string): Promise<NonRetryableError> {
  const error = await guard.vet(new URL(url)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, url).toBeInstanceOf(NonRetryableError);
  expect((error as NonRetryableError).code).toBe('SSRF_BLOCKED');
  return error as NonRetryableError;
}

const { resolve } = resolver({
  'public.example': ['93.184.216.34'],
  'v6.example': ['2606:4700:4700::1111'],
  'private.example': ['10.0.0.5'],
  'mixed.example': ['93.184.216.34', '127.0.0.1'],
  'mapped.example': ['::ffff:169.254.169.254'],
  'ula.example': ['fd00::5'],
  'corp.example': ['10.9.9.9'],
  'api.corp.example': ['10.1.2.3'],
  'db.corp.example': ['10.1.2.4'],
  'lab.example': ['192.168.7.7'],
});

describe('SsrfGuard', () => {
  it('refuses non-HTTP schemes', async () => {
    const guard = new SsrfGuard({ resolve });
    for (const url of [
      'file:///etc/passwd',
      'ftp://public.example/',
      'gopher://public.example/',
      'data:text/plain,x',
    ]) {
      const error = await refusal(guard, url);
      expect(error.message).toMatch(/scheme/);
      // No allowlist entry can enable another scheme: the message must not suggest one.
      expect(error.message).not.toMatch(/allowlist/i);
    }
  });

  it('refuses IP literals in reserved ranges, whatever their spelling, naming the host and reason', async () => {
    const guard = new SsrfGuard({ resolve });
    const cases = [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.1/',
      'http://0.0.0.0/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://172.16.5.4/',
      'http://192.168.0.1/',
      'http://100.64.1.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'https://[::ffff:a9fe:a9fe]/',
    ];
    for (const url of cases) await refusal(guard, url);
    const error = await refusal(guard, 'http://169.254.169.254/');
    expect(error.message).toContain("'169.254.169.254'");
    expect(error.message).toMatch(/link-local/);
    expect(error.message).toMatch(/httpAllowlist/);
  });

  it('refuses internal names before resolving them', async () => {
    const r = resolver({});
    const guard = new SsrfGuard({ resolve: r.resolve });
    for (const host of [
      'localhost',
      'LOCALHOST.',
      'app.localhost',
      'metadata.google.internal',
      'metadata.google.internal.',
      'metadata',
      'printer.local',
      'router.home.arpa',
    ]) {
      const error = await refusal(guard, `http://${host}/`);
      expect(error.message).toMatch(/internal host name/);
    }
    expect(r.calls).toEqual([]);
    expect(hostNameBlockReason('example.com')).toBeNull();
  });

  it('refuses names that resolve to a private address, or to any private address among several', async () => {
    const guard = new SsrfGuard({ resolve });
    expect((await refusal(guard, 'http://private.example/')).message).toMatch(
      /resolves to 10\.0\.0\.5, a private/,
    );
    expect((await refusal(guard, 'http://mixed.example/')).message).toMatch(/127\.0\.0\.1/);
    expect((await refusal(guard, 'http://mapped.example/')).message).toMatch(
      /resolves to ::ffff:169\.254\.169\.254, an IPv4-mapped link-local/,
    );
    expect((await refusal(guard, 'http://ula.example/')).message).toMatch(
      /resolves to fd00::5, a unique local/,
    );
  });

  it('returns the vetted public address and resolves once', async () => {
    const r = resolver({ 'public.example': ['93.184.216.34'] });
    const guard = new SsrfGuard({ resolve: r.resolve });
    expect(await guard.vet(new URL('https://public.example/x'))).toEqual([
      { address: '93.184.216.34', family: 4 },
    ]);
    expect(r.calls).toEqual(['public.example']);
    expect(await new SsrfGuard({ resolve }).vet(new URL('http://v6.example/'))).toEqual([
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
    expect(await guard.vet(new URL('http://8.8.8.8/'))).toEqual([{ address: '8.8.8.8', family: 4 }]);
  });

  it("returns every address of a name in the resolver's order, without repeats", async () => {
    const r = resolver({
      'dual.example': ['2606:4700:4700::1111', '93.184.216.34', '2606:4700:4700::1111', '1.1.1.1'],
      localhost: ['::1', '127.0.0.1'],
    });
    expect(await new SsrfGuard({ resolve: r.resolve }).vet(new URL('http://dual.example/'))).toEqual([
      { address: '2606:4700:4700::1111', family: 6 },
      { address: '93.184.216.34', family: 4 },
      { address: '1.1.1.1', family: 4 },
    ]);
    const local = new SsrfGuard({ resolve: r.resolve, allowlist: ['localhost'] });
    expect(await local.vet(new URL('http://localhost:8080/'))).toEqual([
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
  });

  it('allows allowlisted hosts, wildcards, addresses and CIDR blocks', async () => {
    const guard = new SsrfGuard({
      resolve,
      allowlist: ['localhost', '*.corp.example', '192.168.7.7', '10.0.0.0/30', '::1', ' Lab.Example. '],
    });
    expect(guard.allowsHost('LOCALHOST')).toBe(true);
    expect(await guard.vet(new URL('http://api.corp.example/'))).toEqual([
      { address: '10.1.2.3', family: 4 },
    ]);
    expect(await guard.vet(new URL('http://db.corp.example/'))).toEqual([{ address: '10.1.2.4', family: 4 }]);
    expect(await guard.vet(new URL('http://lab.example/'))).toEqual([{ address: '192.168.7.7', family: 4 }]);
    expect(await guard.vet(new URL('http://10.0.0.2/'))).toEqual([{ address: '10.0.0.2', family: 4 }]);
    expect(await guard.vet(new URL('http://[::1]:9000/'))).toEqual([{ address: '::1', family: 6 }]);
    await refusal(guard, 'http://10.0.0.5/');
    await refusal(guard, 'http://private.example/');
    await refusal(guard, 'http://corp.example/');
    await refusal(guard, 'http://127.0.0.1/');
  });

  it('reports unresolvable names as retryable network errors', async () => {
    const guard = new SsrfGuard({ resolve });
    const error = await guard.vet(new URL('http://nowhere.example/')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrchestratorError);
    expect(error).not.toBeInstanceOf(NonRetryableError);
    expect((error as OrchestratorError).code).toBe('HTTP_NETWORK');
    expect((error as Error).message).toMatch(/ENOTFOUND/);
  });

  it('gives up on a slow lookup when the signal aborts', async () => {
    const guard = new SsrfGuard({ resolve: () => new Promise(() => undefined) });
    const controller = new AbortController();
    const pending = guard.vet(new URL('http://slow.example/'), controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('says what is wrong with an allowlist entry that could never match: a URL, a port, a bad block', () => {
    expect(allowlistEntryProblem('http://internal:8080/api')).toBe(
      "'http://internal:8080/api' is a URL: give its host alone ('internal'); ports are not matched",
    );
    expect(allowlistEntryProblem('api.example.com:8443')).toBe(
      "'api.example.com:8443' has a port: give the host alone ('api.example.com'); ports are not matched",
    );
    expect(allowlistEntryProblem('[::1]:8080')).toBe(
      "'[::1]:8080' has a port: give the host alone ('::1'); ports are not matched",
    );
    expect(allowlistEntryProblem('10.0.0.0/99')).toMatch(/not a valid CIDR block/);
    expect(allowlistEntryProblem('bad host!')).toMatch(/not a host name/);
    for (const ok of [
      'api.example.com',
      '*.corp.example',
      '10.0.0.0/8',
      '::1',
      '[::1]',
      'fd00::/8',
      '127.0.0.1',
      'v2.example',
    ])
      expect(allowlistEntryProblem(ok), ok).toBeNull();
  });

  it('refuses an IPv4 address in a short or numeric form, naming the dotted one (a URL host never matched it)', async () => {
    const shorthands: [string, string][] = [
      ['127.1', '127.0.0.1'],
      ['2130706433', '127.0.0.1'],
      ['0x7f.1', '127.0.0.1'],
      ['010.0.0.1', '8.0.0.1'],
    ];
    for (const [entry, address] of shorthands) {
      expect(allowlistEntryProblem(entry)).toBe(
        `'${entry}' is an IPv4 address in a short or numeric form: give it as ${address}`,
      );
    }
    for (const bad of ['999.1', '1.2.3.4.5', 'internal.1']) {
      expect(allowlistEntryProblem(bad), bad).toMatch(
        /ends in a number, so a URL takes it for an IPv4 address, and it is not a valid one$/,
      );
    }
    // The URL's host is the dotted form, which is what the allowlist has to name.
    const guard = new SsrfGuard({ allowlist: ['127.0.0.1'], resolve: resolver({}).resolve });
    await expect(guard.vet(new URL('http://127.1/'))).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});
