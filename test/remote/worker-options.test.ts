/**
 * `createRemoteWorker`'s URL checks: user info in a node URL is refused (the worker sends the
 * bearer token, so the credentials were dropped without a word and then shown in full by every
 * log line and `registrations`), and no refusal ever repeats a password.
 */
import { describe, expect, it } from 'vitest';
import { createRemoteWorker, ValidationError } from '../../src/index.js';

const refusal = (url: string): ValidationError => {
  try {
    createRemoteWorker({ url, token: 'tok', actions: { a: () => 1 } });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`${url} was accepted`);
};

describe('createRemoteWorker node URLs', () => {
  it('refuses a URL with user info, naming url and not the password', () => {
    for (const url of ['http://app:s3cret@127.0.0.1:8080', 'https://s3cret@orch.example']) {
      const error = refusal(url);
      expect(error.issues).toEqual([
        {
          path: 'url',
          message: expect.stringMatching(/carries credentials.*`token`/),
        },
      ]);
      expect(error.message).not.toContain('s3cret');
    }
  });

  it('does not repeat the password of a URL it cannot parse', () => {
    for (const url of ['http://app:s3cret@[::1', 'ftp://app:s3cret@host']) {
      const error = refusal(url);
      expect(error.issues[0]?.path).toBe('url');
      expect(error.message).not.toContain('s3cret');
    }
  });
});
