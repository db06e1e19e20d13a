/**
 * createRemoteWorker and stop() check their options at once: a misspelt option
 * (`{ concurency: 4 }`) ran one slot without a word, `actions: [fn]` registered an action named
 * '0', `urls: 'http://…'` threw a bare TypeError, a token with a newline (or a space) was only
 * refused when the first request was sent, and `stop({ grace: NaN })` (or -1, or '5') aborted
 * running tasks at once or waited on a string; `stop(null)` threw a TypeError. Each is now a
 * ValidationError naming the option. No server is needed: nothing is sent.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { createRemoteWorker } from '../../src/index.js';

const base = { url: 'http://127.0.0.1:9', token: 'tok-0123456789', actions: { a: () => 1 } };

function issuesOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('createRemoteWorker option checks', () => {
  it('refuses a misspelt option by name', () => {
    expect(issuesOf(() => createRemoteWorker({ ...base, concurency: 4 } as never))).toEqual([
      { path: 'concurency', message: "unknown key 'concurency' (did you mean 'concurrency'?)" },
    ]);
  });

  it.each([[[() => 1]], ['a'], [null]])('refuses actions that are no object of handlers (%s)', (actions) => {
    expect(() => createRemoteWorker({ ...base, actions: actions as never })).toThrow(
      /actions: `actions` must be an object of handlers by action name/,
    );
  });

  it('refuses urls that is no array', () => {
    expect(() =>
      createRemoteWorker({ ...base, url: undefined, urls: 'http://127.0.0.1:9' as never }),
    ).toThrow(/urls: `urls` must be an array of URLs/);
  });

  it('refuses url and urls together, which left url unused without a word', () => {
    expect(issuesOf(() => createRemoteWorker({ ...base, urls: ['http://127.0.0.1:10'] }))).toEqual([
      { path: 'url', message: 'give `url` or `urls`, not both (add the URL to `urls`)' },
    ]);
  });

  it('still takes url or urls alone', () => {
    expect(createRemoteWorker(base).registrations.map((r) => r.url)).toEqual(['http://127.0.0.1:9']);
    const { url: _url, ...rest } = base;
    const urls = ['http://127.0.0.1:9', 'http://127.0.0.1:10'];
    expect(createRemoteWorker({ ...rest, urls }).registrations.map((r) => r.url)).toEqual(urls);
  });

  it('refuses a node given twice in urls, which registered the worker twice with it', () => {
    const { url: _url, ...rest } = base;
    // The same node however it is written: a trailing slash, the scheme's default port.
    for (const second of ['http://127.0.0.1:9/', 'HTTP://127.0.0.1:9']) {
      expect(issuesOf(() => createRemoteWorker({ ...rest, urls: ['http://127.0.0.1:9', second] }))).toEqual([
        {
          path: 'urls[1]',
          message: "'http://127.0.0.1:9' is given twice (urls[0] and urls[1]): give each node once",
        },
      ]);
    }
    expect(
      issuesOf(() =>
        createRemoteWorker({ ...rest, urls: ['https://orch.example:443/', 'https://orch.example'] }),
      ),
    ).toEqual([
      {
        path: 'urls[1]',
        message: "'https://orch.example' is given twice (urls[0] and urls[1]): give each node once",
      },
    ]);
  });

  it.each(['a\nb', 'a b', 'tök'])('refuses a token no Authorization header can carry (%j)', (token) => {
    expect(() => createRemoteWorker({ ...base, token })).toThrow(/token: `token` must be visible ASCII/);
  });

  // '5' and true passed the range check (they compare as numbers) and were sent as the poll's
  // waitSeconds, which the node refuses (400): the worker backed off for ever and served nothing.
  it.each([
    ['pollSeconds', '5'],
    ['pollSeconds', true],
    ['requestTimeoutSeconds', '10'],
    ['requestTimeoutSeconds', [10]],
  ])('refuses %s given as %j, which is no number', (key, value) => {
    expect(issuesOf(() => createRemoteWorker({ ...base, [key]: value }))).toEqual([
      {
        path: key,
        message: expect.stringMatching(/^`\w+` must be a number more than 0 and at most \d+, got /),
      },
    ]);
  });

  it.each([5, ''])('refuses a name that is no non-empty string (%j)', (name) => {
    expect(() => createRemoteWorker({ ...base, name: name as never })).toThrow(
      /name: `name` must be a non-empty string/,
    );
  });

  // The node refuses a name over 128 characters (400): it failed only at start(), as the node's refusal.
  it('refuses a name longer than the 128 characters a node takes, and takes one of 128', () => {
    expect(issuesOf(() => createRemoteWorker({ ...base, name: 'n'.repeat(129) }))).toEqual([
      {
        path: 'name',
        message: expect.stringMatching(
          /^`name` must be a non-empty string of at most 128 characters, got .*\(129 characters\)$/,
        ),
      },
    ]);
    expect(() => createRemoteWorker({ ...base, name: 'n'.repeat(128) })).not.toThrow();
  });

  // The node refuses these at registration (400): each failed only at start(), as the node's refusal.
  it('refuses an action named after a built-in or the reserved name, as the node does', () => {
    const handler = () => 1;
    expect(issuesOf(() => createRemoteWorker({ ...base, actions: { http: handler, ok: handler } }))).toEqual([
      { path: 'actions.http', message: "action 'http' is a built-in action" },
    ]);
    const reserved: Record<string, () => number> = {};
    Object.defineProperty(reserved, '__proto__', { value: handler, enumerable: true });
    expect(issuesOf(() => createRemoteWorker({ ...base, actions: reserved }))).toEqual([
      { path: 'actions.__proto__', message: expect.stringMatching(/^action '__proto__' is reserved/) },
    ]);
  });

  // The pattern and the length are the node's one rule: a long name was said not to match the
  // characters it is made of.
  it('refuses an action name the node cannot take, saying so with the length it takes', () => {
    const handler = () => 1;
    for (const name of ['a b', 'é', 'x'.repeat(129)]) {
      expect(issuesOf(() => createRemoteWorker({ ...base, actions: { [name]: handler } }))).toEqual([
        {
          path: expect.stringMatching(/^actions\./),
          message: expect.stringMatching(
            /^action '.*' (\(129 characters\) )?must match \[A-Za-z0-9_.-\]\+ \(at most 128 characters\)$/,
          ),
        },
      ]);
    }
    expect(() => createRemoteWorker({ ...base, actions: { ['x'.repeat(128)]: handler } })).not.toThrow();
  });

  it('refuses more than the 100 actions a node takes at one registration, and takes 100', () => {
    const actions = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, () => i]));
    expect(issuesOf(() => createRemoteWorker({ ...base, actions: actions(101) }))).toEqual([
      { path: 'actions', message: '`actions` may name at most 100 handlers, got 101' },
    ]);
    expect(() => createRemoteWorker({ ...base, actions: actions(100) })).not.toThrow();
  });
});

describe('RemoteWorker.stop option checks', () => {
  it.each([Number.NaN, -1, '5', null])(
    'refuses grace %s, and the worker can still be stopped',
    async (grace) => {
      const worker = createRemoteWorker(base);
      await expect(worker.stop({ grace: grace as never })).rejects.toThrow(/grace: expected seconds/);
      await expect(worker.stop({ grace: 0 })).resolves.toBeUndefined();
    },
  );

  it('refuses options that are no object, and a misspelt key', async () => {
    const worker = createRemoteWorker(base);
    await expect(worker.stop(null as never)).rejects.toThrow(ValidationError);
    await expect(worker.stop({ gracee: 5 } as never)).rejects.toThrow(/gracee: unknown key 'gracee'/);
    await expect(worker.stop({ grace: Number.POSITIVE_INFINITY })).resolves.toBeUndefined();
  });
});
