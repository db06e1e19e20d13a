/**
 * Checks of the query parameters of a PostgreSQL store URL that the driver would take silently in a
 * way the user did not mean: a parameter given twice (the driver keeps the last, `?schema=` the
 * first), and an `sslmode` the driver does not know, which it treats as `verify-full`, so a typo
 * such as `sslmode=disabled` failed with "The server does not support SSL connections". Also the
 * parameters the store itself reads from a store URL ({@link STORE_URL_PARAMETERS}).
 * @module
 */

import { describeValue } from '../../describe-value.js';
import { ValidationError } from '../../errors.js';
import { maskQueryValues, redactRefusedUrl, redactUrl } from '../../redact-url.js';
import { textPrefix } from '../../text-prefix.js';

/** The `sslmode` values the driver (`pg`) understands. */
export const SSL_MODES: readonly string[] = [
  'disable',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
  'no-verify',
];

/**
 * The query parameters the driver (`pg` 8) reads from a URL. It takes any other in silence and
 * does nothing with it: a typo (`?shema=orders`, `?sslmod=require`) or a libpq parameter it does
 * not support (`connect_timeout`, `target_session_attrs`) would change nothing, unannounced. So
 * would `binary` (read only from a client's config), `client_encoding` and `encoding` (kept, never
 * sent: the session stays UTF8), and `db` outside a `socket:` URL ({@link SOCKET_URL_PARAMETERS}).
 */
export const DRIVER_URL_PARAMETERS: readonly string[] = [
  'host',
  'port',
  'user',
  'password',
  'ssl',
  'sslmode',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslnegotiation',
  'uselibpqcompat',
  'application_name',
  'fallback_application_name',
  'options',
  'replication',
  'statement_timeout',
  'lock_timeout',
];

/**
 * Parameters the driver reads that the store sets itself, and the store option of each: in the
 * URL they would take precedence over it, unchecked (`?query_timeout=0`, meant as off, failed every
 * query at once, the start included), so they are refused in favour of the option.
 */
const STORE_SET_PARAMETERS: Readonly<Record<string, string>> = {
  query_timeout: 'queryTimeoutMs',
  idle_in_transaction_session_timeout: 'idleInTransactionTimeoutMs',
};

/**
 * The parameters the driver reads from a `socket:` URL only: `db`, the database (a `postgres://`
 * URL names it in its path).
 */
const SOCKET_URL_PARAMETERS: readonly string[] = ['db'];

/**
 * Parameters the driver parses from a URL but never uses, and the store option that does their
 * job: `pg` reads `connectionTimeoutMillis` only from a client's config, so in a URL it changed
 * nothing (a connect to a silent server still waited the store's own connect timeout).
 */
const IGNORED_DRIVER_PARAMETERS: Readonly<Record<string, { option: string; instead: string }>> = {
  connectionTimeoutMillis: {
    option: 'queryTimeoutMs',
    instead: 'a connect waits as long as queryTimeoutMs, at most 10 s',
  },
};

/**
 * The query parameters `openStore` reads from a store URL (options of `PostgresStore`) and
 * takes out before the URL reaches the driver; a URL given to `new PostgresStore(url)` may not
 * have them (they are its options there).
 */
export const STORE_URL_PARAMETERS: readonly string[] = [
  'schema',
  'poolSize',
  'writeLanes',
  'queryTimeoutMs',
  'idleInTransactionTimeoutMs',
  'migrationLockTimeoutMs',
  'preparedStatements',
];

/** The number parameters of {@link STORE_URL_PARAMETERS}. */
const NUMBER_PARAMETERS: readonly string[] = [
  'poolSize',
  'writeLanes',
  'queryTimeoutMs',
  'idleInTransactionTimeoutMs',
  'migrationLockTimeoutMs',
];

/** Digits only, few enough to be read exactly as a number. */
const WHOLE_NUMBER = /^\d{1,15}$/;

/**
 * The options of `PostgresStore` the {@link STORE_URL_PARAMETERS} of `params` give. A number
 * parameter written in digits only is that number, any other text (`1.5`, `1e3`, ` 5`, '') is
 * given as is: the options' own checks refuse it, with the bounds and message they give an option.
 * `preparedStatements` written `true` or `false` is that boolean, any other text is given as is.
 */
export function storeParameterOptions(params: URLSearchParams): Record<string, string | number | boolean> {
  const options: Record<string, string | number | boolean> = {};
  for (const key of STORE_URL_PARAMETERS) {
    const value = params.get(key);
    if (value === null) continue;
    if (key === 'preparedStatements' && (value === 'true' || value === 'false'))
      options[key] = value === 'true';
    else options[key] = NUMBER_PARAMETERS.includes(key) && WHOLE_NUMBER.test(value) ? Number(value) : value;
  }
  return options;
}

/** `url` without the {@link STORE_URL_PARAMETERS} (as given when it has none). */
export function withoutStoreParameters(url: string): string {
  const parsed = new URL(url);
  if (!STORE_URL_PARAMETERS.some((key) => parsed.searchParams.has(key))) return url;
  for (const key of STORE_URL_PARAMETERS) parsed.searchParams.delete(key);
  return parsed.toString();
}

/** The schemes of the URLs the driver reads as meant (it reads any other as if it were postgres:). */
const SCHEMES = ['postgres:', 'postgresql:', 'socket:'];

/**
 * What is wrong with `url` as a connection string, or null when the driver reads it as meant: an
 * absolute URL of {@link SCHEMES}, or a socket directory ('/var/run/postgresql dbname'). The driver
 * reads any other string as a path on a host named 'base' ('not a url' failed on connecting,
 * 'getaddrinfo ENOTFOUND base'), '' as no URL at all (the PG* variables' server), and refuses a
 * postgres:// URL that does not parse only when the store opens.
 */
export function connectionStringProblem(url: string): string | null {
  if (url.startsWith('/')) return null;
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  if (scheme === undefined || !SCHEMES.includes(scheme)) {
    return `Expected a postgres:// connection string (or a socket directory), got ${describeValue(redactRefusedUrl(url))}`;
  }
  if (URL.canParse(url)) return null;
  return `Cannot use the PostgreSQL URL ${shownUrl(url, redactRefusedUrl)}: it does not parse as a URL (a port from 0 to 65535; a #, /, ? or @ in the user or password percent-encoded)`;
}

/**
 * The most characters of a store URL (or of the driver's message about it) an error repeats: more
 * than echo()'s 64, as its host and parameters are what the message is about.
 */
const URL_ECHO_LIMIT = 256;

/** `text` whole when short, else its start, '…' and its length (see echo.ts). */
export function cutText(text: string): string {
  if (text.length <= URL_ECHO_LIMIT) return text;
  return `${textPrefix(text, URL_ECHO_LIMIT)}… (${text.length} characters)`;
}

/** A store URL as a message repeats it: the password masked, a long one cut. */
export function shownUrl(url: string, redact: (url: string) => string = redactUrl): string {
  return cutText(redact(url));
}

/**
 * The URL of a store on `schema`, as its messages name it: with `?schema=` when the schema is not
 * the default one. Nodes on different schemas of one database are separate stores, whose errors
 * read alike without it.
 */
export function urlWithSchema(url: string, schema: string, defaultSchema: string): string {
  if (schema === defaultSchema) return url;
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  return `${base}${base.includes('?') ? '&' : '?'}schema=${encodeURIComponent(schema)}`;
}

/** How an error names a store URL: the ValidationError's heading and the URL's path in it. */
export interface UrlPlace {
  heading: string;
  path: string;
}

/** A URL given as the config's `store` (or ORCHESTRATOR_STORE, a CLI `--store`; see `openStore`). */
export const CONFIG_URL: UrlPlace = { heading: 'Invalid config', path: 'store' };

/** A URL given to `new PostgresStore(url)`. */
export const CONSTRUCTOR_URL: UrlPlace = { heading: 'Invalid PostgresStore arguments', path: 'url' };

/**
 * Where a URL is checked: whether the {@link STORE_URL_PARAMETERS} are read there, and how its
 * error names the URL.
 */
export interface UrlCheckPlace extends Partial<UrlPlace> {
  storeParameters: boolean;
}

/**
 * @throws ValidationError naming the URL (`where`, by default as the config's `store`; `where.path`, the password and the values of the parameters it refuses masked) for a query parameter
 * given twice, one the driver does not read (the {@link STORE_URL_PARAMETERS} are read only by
 * `openStore`: `where` says whether they are allowed), the driver's `query_timeout` or
 * `idle_in_transaction_session_timeout` (the store sets them: see its options), its
 * `connectionTimeoutMillis` (it ignores it in a URL), an `sslmode` the driver does not know, or a
 * raw `#` (what follows it is ignored: a password's `#` not percent-encoded).
 * The values of the store's own parameters are checked as its options (see `openPostgres`). A
 * URL that does not parse is left to the driver.
 */
export function checkUrlOptions(url: string, where: UrlCheckPlace): void {
  let params: URLSearchParams;
  let socket: boolean;
  try {
    const parsed = new URL(url);
    params = parsed.searchParams;
    socket = parsed.protocol === 'socket:';
  } catch {
    return;
  }
  const messages: string[] = [];
  const seen = new Set<string>();
  const unread = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) messages.push(`the parameter '${key}' is given more than once`);
    else if (STORE_URL_PARAMETERS.includes(key)) {
      if (!where.storeParameters) {
        const what = key === 'schema' ? 'the schema' : 'it';
        messages.push(`the parameter '${key}' is not read here: pass ${what} as the option { ${key} }`);
      }
    } else if (Object.hasOwn(STORE_SET_PARAMETERS, key)) {
      const option = STORE_SET_PARAMETERS[key];
      const instead = where.storeParameters ? `use ?${option}=` : `pass it as the option { ${option} }`;
      messages.push(`the parameter '${key}' would replace the store's own setting unchecked: ${instead}`);
    } else if (Object.hasOwn(IGNORED_DRIVER_PARAMETERS, key)) {
      messages.push(ignoredParameterMessage(key, where.storeParameters));
    } else if (!DRIVER_URL_PARAMETERS.includes(key) && !(socket && SOCKET_URL_PARAMETERS.includes(key))) {
      unread.add(key);
      messages.push(
        `the parameter ${JSON.stringify(key)} is not one the driver reads (it would be ignored); it reads ${DRIVER_URL_PARAMETERS.join(', ')} (and ${SOCKET_URL_PARAMETERS.join(', ')} in a socket: URL)`,
      );
    }
    seen.add(key);
  }
  const port = params.get('port');
  if (port !== null && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) {
    // The driver fails such a connect at once and then never settles its client's end().
    messages.push(`the parameter 'port' must be a port number (0 to 65535), got ${describeValue(port)}`);
  }
  const sslmode = params.get('sslmode');
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
    messages.push(`sslmode ${JSON.stringify(sslmode)} is not one of ${SSL_MODES.join(', ')}`);
  }
  // A fragment means nothing to the driver: a '#' is a password's, cut short there (`u:p@ss#w@h`
  // parses as the password 'p' on the host 'ss').
  if (url.includes('#')) {
    messages.push(
      "it has a raw '#', which ends a URL (the driver ignores what follows): a #, /, ? or @ in the user or password must be percent-encoded (# as %23)",
    );
  }
  if (messages.length > 0) {
    throw new ValidationError(
      [
        {
          path: where.path ?? CONFIG_URL.path,
          message: `Cannot use the PostgreSQL URL ${cutText(maskQueryValues(redactUrl(url), (key) => unread.has(key)))}: ${[...new Set(messages)].join('; ')}`,
        },
      ],
      where.heading ?? CONFIG_URL.heading,
    );
  }
}

/** The refusal of an {@link IGNORED_DRIVER_PARAMETERS} `key`, pointing to its store option. */
function ignoredParameterMessage(key: string, storeParameters: boolean): string {
  const { option, instead } = IGNORED_DRIVER_PARAMETERS[key] ?? { option: '', instead: '' };
  const use = storeParameters ? `use ?${option}=` : `pass the option { ${option} }`;
  return `the parameter '${key}' is ignored by the driver in a URL (it reads it only from its config): ${instead}: ${use}`;
}
