/**
 * Messages that repeat the start of a value someone gave (a log level, a version, an expression,
 * a regex pattern, a definition id) cut it with slice(), so an emoji (a surrogate pair) standing
 * at the cut left its first half alone in the message: shown as U+FFFD, or refused by what
 * checks text. Each now cuts with echo() (the house way to repeat a value: its start, '…' and its
 * length) or textPrefix(), never splitting a pair.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDefinitionFile } from '../../src/cli/definition-file.js';
import { compileConfig } from '../../src/config.js';
import { compileExpression } from '../../src/definition/expression.js';
import { logLevelFromEnv } from '../../src/logger.js';
import { createRemoteWorker } from '../../src/remote/worker-client.js';
import { parseVersionQuery } from '../../src/server/dashboard/pages/workflows.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { messageOf } from '../helpers/thrown.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const dir = mkdtempSync(join(tmpdir(), 'orch-message-cuts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('messages repeating the start of a value', () => {
  it('the log level of ORCHESTRATOR_LOG_LEVEL', () => {
    const raw = `${'x'.repeat(63)}😀`;
    const message = messageOf(() => logLevelFromEnv('info', { ORCHESTRATOR_LOG_LEVEL: raw }));
    expect(message).not.toMatch(LONE_SURROGATE);
    expect(message).toContain(`unknown log level '${'x'.repeat(63)}…' (65 characters); expected one of`);
  });

  it("the dashboard's ?version=", () => {
    const message = messageOf(() => parseVersionQuery(`${'1'.repeat(39)}😀`));
    expect(message).not.toMatch(LONE_SURROGATE);
    expect(message).toContain(`got '${'1'.repeat(39)}😀'`);
    const long = messageOf(() => parseVersionQuery(`${'1'.repeat(63)}😀`));
    expect(long).not.toMatch(LONE_SURROGATE);
    expect(long).toContain(`got '${'1'.repeat(63)}…' (65 characters)`);
  });

  it('an unsafe matches() pattern', () => {
    const message = messageOf(() => compileExpression(`input.s.matches("${'x'.repeat(39)}😀(a+)+")`));
    expect(message).not.toMatch(LONE_SURROGATE);
    expect(message).toContain(`matches() pattern '${'x'.repeat(39)}😀(a+)+' repeats a group`);
    const long = messageOf(() => compileExpression(`input.s.matches("${'x'.repeat(63)}😀(a+)+")`));
    expect(long).not.toMatch(LONE_SURROGATE);
    expect(long).toContain(`matches() pattern '${'x'.repeat(63)}…' (70 characters) repeats a group`);
  });

  it('an expression quoted in its error', () => {
    // 'input.a == "' and 64 x are 76 characters: the emoji starts at the cut (77).
    const source = `input.a == "${'x'.repeat(64)}😀" && )`;
    const message = messageOf(() => compileExpression(source));
    expect(message).not.toMatch(LONE_SURROGATE);
    expect(message).toContain(`Invalid expression 'input.a == "${'x'.repeat(64)}...'`);
  });

  it("a definition file's id in the heading", () => {
    const path = join(dir, 'long-id.json');
    // Too long an id (129 characters): refused, and named in the heading.
    const id = `${'w'.repeat(127)}😀`;
    writeFileSync(path, JSON.stringify({ id, steps: [{ name: 'a' }] }));
    const message = messageOf(() => readDefinitionFile(path));
    expect(message).not.toMatch(LONE_SURROGATE);
    expect(message).toContain(`invalid workflow definition '${'w'.repeat(64)}…' (129 characters): `);
  });

  // These repeated the whole value (a 10,000-character store or URL in every log line and answer).
  it('a store or worker URL that is refused, and an action name', () => {
    const store = messageOf(() => compileConfig({ store: `mysql://u:pw@h/${'d'.repeat(10_000)}` }));
    expect(store).toContain('got "mysql://***@h/ddd');
    expect(store).toMatch(/…" \(10014 characters\)$/);
    expect(store).not.toContain('pw');
    const url = `ftp://h/${'p'.repeat(10_000)}`;
    const worker = messageOf(() => createRemoteWorker({ url, token: 'a-token', actions: { a: () => 1 } }));
    expect(worker).toMatch(
      /^Invalid createRemoteWorker options: url: 'ftp:\/\/h\/p+…' \(10008 characters\) is not an http\(s\) URL$/,
    );
    const name = `a b${'c'.repeat(10_000)}`;
    const action = messageOf(() =>
      createRemoteWorker({ url: 'http://127.0.0.1:9', token: 'a-token', actions: { [name]: () => 1 } }),
    );
    expect(action.length).toBeLessThan(400);
    expect(action).toContain("action 'a bccc");
  });

  it('a PostgreSQL URL refused for its parameters, its form or what the driver cannot read', async () => {
    const long = 'x'.repeat(10_000);
    // The value of a parameter it refuses is not shown (it may be a mistyped password): a long
    // value of one the driver reads is cut.
    const parameter = messageOf(
      () => new PostgresStore(`postgres://u:pw@h/db?application_name=${long}&foo=1`),
    );
    expect(parameter).toMatch(
      /^Invalid PostgresStore arguments: url: Cannot use the PostgreSQL URL postgres:\/\/\*\*\*@h\/db\?application_name=x{219}… \(10045 characters\): the parameter "foo" /,
    );
    const config = messageOf(() => openStore(`postgres://u:pw@h/db?application_name=${long}&foo=1`));
    expect(config).toMatch(
      /^Invalid config: store: Cannot use the PostgreSQL URL postgres:\/\/\*\*\*@h\/db\?application_name=x{219}… \(10045 characters\): /,
    );
    const form = messageOf(() => new PostgresStore(`postgres://u:pw@h:99999/${long}`));
    expect(form).toMatch(
      /^Invalid PostgresStore arguments: url: Cannot use the PostgreSQL URL postgres:\/\/\*\*\*@h:99999\/x{233}… \(10023 characters\): it does not parse/,
    );
    const store = new PostgresStore(`postgres://u:pw@127.0.0.1:1/db?sslrootcert=/nonexistent/${long}`);
    const unread = await store.init().then(
      () => '',
      (e: Error) => e.message,
    );
    await store.close();
    expect(unread).toMatch(
      /^Invalid PostgresStore arguments: url: Cannot use the PostgreSQL URL postgres:\/\/\*\*\*@127\.0\.0\.1:1\/db\?sslrootcert=\/nonexistent\/x{201}… \(10055 characters\): /,
    );
    for (const message of [parameter, config, form, unread]) {
      expect(message).not.toContain('pw');
      expect(message.length).toBeLessThan(1_000);
    }
  });
});
