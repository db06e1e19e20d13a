/**
 * Which field names look like they hold a secret (`password`, `client_secret`, `apiKey`,
 * `X-Api-Key`, `access_token`, `csrftoken`, `Authorization`, …), so that the `http` action's
 * error excerpt does not repeat what a server answered or was sent under them
 * (`actions/error-body-excerpt.ts`, `actions/request-secrets.ts`) and the service's request log
 * does not (`server/logged-request.ts`).
 *
 * A name is split into words (`camelCase`, `snake_case`, `kebab-case`, `dot.case`) and is secret
 * when one word is a secret word, when a `key` follows a word that makes it one (`api`, `access`,
 * `private`, …: a bare `key` is an object's or idempotency key, as S3's `NoSuchKey` error names
 * it), or when the words run together hold one (`clientsecret`, `accesskey`, a name ending in
 * `token`); not when its last word says it is about one (`token_type`, `auth_url`,
 * `password_required`: {@link ABOUT_WORDS}). Not `tokens` (`max_tokens` is a count), not
 * `author`, not `pin`.
 * @module
 */

/** Words that make a name secret alone. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'apikey',
  'signature',
  'sig',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'cookie',
  'otp',
  'bearer',
]);

/** The words before `key` that make it a secret one. */
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'private',
  'secret',
  'signing',
  'client',
  'auth',
  'encryption',
  'master',
  'session',
  'subscription',
]);

/**
 * Last words that make a name one about a secret rather than one holding it (`token_type`,
 * `auth_url`, `password_required`, `secret_name`): their values say what the error is about.
 */
const ABOUT_WORDS = new Set([
  'type',
  'kind',
  'expires',
  'expiry',
  'expiration',
  'at',
  'in',
  'length',
  'count',
  'url',
  'uri',
  'endpoint',
  'name',
  'hint',
  'required',
  'valid',
  'status',
]);

/** What the words run together may hold. */
const JOINED = /password|passwd|passphrase|secret|apikey|accesskey|privatekey|sessionid|token$/;

/** The lower-case words of `name`. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** Whether a field, parameter or header named `name` looks like it holds a secret (see the module). */
export function isSecretName(name: string): boolean {
  const parts = words(name);
  if (parts.length > 1 && ABOUT_WORDS.has(parts.at(-1) ?? '')) return false;
  if (parts.some((word) => SECRET_WORDS.has(word))) return true;
  if (parts.some((word, i) => word === 'key' && i > 0 && KEY_QUALIFIERS.has(parts[i - 1] ?? ''))) return true;
  return JOINED.test(parts.join(''));
}
