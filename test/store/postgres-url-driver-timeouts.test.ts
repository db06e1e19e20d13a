/**
 * The driver's own `?query_timeout=` and `?idle_in_transaction_session_timeout=` in a store URL
 * took precedence over the store's options of that meaning, unchecked: `?query_timeout=0` (meant as
 * "off") failed every query at once ('Query read timeout', the start included), any other value
 * replaced `queryTimeoutMs` and put a deadline on the migrations, and an idle timeout replaced the
 * third of the lease. They are refused, pointing to the store's parameter (or option).
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { messageOf } from '../helpers/thrown.js';

describe("the driver's timeouts in a store URL", () => {
  it.each([
    ['query_timeout', 'queryTimeoutMs'],
    ['idle_in_transaction_session_timeout', 'idleInTransactionTimeoutMs'],
  ])('?%s= is refused in favour of ?%s=', (driver, store) => {
    let error: unknown;
    try {
      openStore(`postgres://u:pw@h/db?${driver}=0`);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^Invalid config: store: Cannot use the PostgreSQL URL /);
    expect((error as Error).message).toContain(
      `the parameter '${driver}' would replace the store's own setting unchecked: use ?${store}=`,
    );
    expect(messageOf(() => new PostgresStore(`postgres://u@h/db?${driver}=5000`))).toContain(
      `the parameter '${driver}' would replace the store's own setting unchecked: pass it as the option { ${store} }`,
    );
  });
});
