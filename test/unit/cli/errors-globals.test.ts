import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliError, reportFor, UsageError } from '../../../src/cli/errors.js';
import { addGlobalOptions, globalsOf, resolveCliStore } from '../../../src/cli/globals.js';
import { cliLogger } from '../../../src/cli/logger.js';
import { Output } from '../../../src/cli/output.js';
import { compileConfig } from '../../../src/config.js';
import { OrchestratorError, ValidationError } from '../../../src/errors.js';
import { redactUrl } from '../../../src/redact-url.js';
import { DEFAULT_SQLITE_STORE } from '../../../src/store-url.js';

describe('reportFor', () => {
  it('maps errors to exit codes: usage 2, runtime 1, help and version 0', () => {
    expect(reportFor(new UsageError('bad'))).toMatchObject({ exitCode: 2, message: 'bad', printed: false });
    expect(reportFor(new CliError('gone'))).toMatchObject({ exitCode: 1, code: 'CLI_ERROR' });
    expect(reportFor(new ValidationError([{ path: 'x', message: 'y' }]))).toMatchObject({ exitCode: 2 });
    expect(reportFor(new OrchestratorError('STORE_UNAVAILABLE', 'down'))).toMatchObject({
      exitCode: 1,
      code: 'STORE_UNAVAILABLE',
    });
    expect(reportFor(new Error('boom'))).toMatchObject({ exitCode: 1, code: 'INTERNAL', message: 'boom' });
    expect(reportFor('text')).toMatchObject({ exitCode: 1, message: 'text' });
    const unknown = new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'x'");
    expect(reportFor(unknown)).toMatchObject({ exitCode: 2, message: "unknown command 'x'", printed: true });
    expect(reportFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).exitCode).toBe(0);
    expect(reportFor(new CommanderError(0, 'commander.version', '0.1.0')).exitCode).toBe(0);
    // `help list`: help asked for; no command given: help printed as an error.
    expect(reportFor(new CommanderError(0, 'commander.help', '(outputHelp)')).exitCode).toBe(0);
    expect(reportFor(new CommanderError(1, 'commander.help', '(outputHelp)'))).toMatchObject({
      exitCode: 2,
      message: 'a command is required (see orchestrator --help)',
      printed: true,
    });
  });
});

describe('resolveCliStore', () => {
  it('prefers the flag, then ORCHESTRATOR_STORE, then the default SQLite file', () => {
    const env = { ORCHESTRATOR_STORE: 'memory' };
    expect(resolveCliStore('sqlite:x.db', env)).toEqual({ store: 'sqlite:x.db', storeSource: 'flag' });
    expect(resolveCliStore(undefined, env)).toEqual({ store: 'memory', storeSource: 'env' });
    expect(resolveCliStore(undefined, {})).toEqual({ store: DEFAULT_SQLITE_STORE, storeSource: 'default' });
  });
});

describe('globalsOf', () => {
  const refusal = (args: string[], env: Record<string, string> = {}): string => {
    const saved = process.env.ORCHESTRATOR_STORE;
    if (env.ORCHESTRATOR_STORE) process.env.ORCHESTRATOR_STORE = env.ORCHESTRATOR_STORE;
    else delete process.env.ORCHESTRATOR_STORE;
    try {
      const program = addGlobalOptions(new Command('orchestrator').exitOverride());
      program.parse(args, { from: 'user' });
      globalsOf(program);
    } catch (error) {
      return (error as Error).message;
    } finally {
      if (saved === undefined) delete process.env.ORCHESTRATOR_STORE;
      else process.env.ORCHESTRATOR_STORE = saved;
    }
    throw new Error('the store URL was accepted');
  };

  it('never prints the password of a store URL it refuses', () => {
    expect(refusal(['--store', 'mysql://root:S3cret@db/app'])).toBe(
      '--store must be "sqlite:<path>", "memory" or "postgres://...", got "mysql://***@db/app"',
    );
    expect(refusal(['--store', 'postgres:app:S3cret@db/app'])).toContain('got "postgres:***@db/app"');
    expect(refusal([], { ORCHESTRATOR_STORE: 'postgres//app:S3cret@db/app' })).toMatch(
      /^ORCHESTRATOR_STORE must be .*got "\*\*\*@db\/app"$/,
    );
    expect(refusal(['--store', 'mysql://x'])).toContain('got "mysql://x"');
  });

  it('refuses an empty --store (an unset variable) rather than fall back to the default SQLite file', () => {
    expect(refusal(['--store', ''])).toBe(
      '--store must be "sqlite:<path>", "memory" or "postgres://...", got ""',
    );
    expect(refusal(['--store', ''], { ORCHESTRATOR_STORE: 'memory' })).toContain('got ""');
  });

  it('nor does the config check (serve --config): the store key of a config file', () => {
    const message = (() => {
      try {
        compileConfig({ store: 'postgres:app:S3cret@db/app' });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('got "postgres:***@db/app"');
    expect(message).not.toContain('S3cret');
  });
});

describe('Output', () => {
  function capture(json: boolean) {
    let out = '';
    let err = '';
    const output = new Output({
      json,
      stdout: { write: (t: string) => (out += t), isTTY: true },
      stderr: { write: (t: string) => (err += t) },
      colors: false,
    });
    return { output, out: () => out, err: () => err };
  }

  it('writes lines in human mode and only data in JSON mode', () => {
    const human = capture(false);
    human.output.line('a', 'b');
    human.output.note('n');
    human.output.error('E', 'bad');
    expect(human.out()).toBe('a\nb\n');
    expect(human.err()).toBe('n\nerror: bad\n');
    const machine = capture(true);
    machine.output.line('ignored');
    machine.output.note('ignored');
    machine.output.error('E', 'bad');
    machine.output.problem('why');
    expect(machine.out()).toBe('{\n  "error": {\n    "code": "E",\n    "message": "bad"\n  }\n}\n');
    expect(machine.err()).toBe('error: bad\nwhy\n');
  });

  it('shows control characters of an error message as escapes, not as terminal commands', () => {
    // `orchestrator status $'x\e[31m\r\nerror: fake'` echoed the id raw: the line could be
    // recoloured, rewritten or followed by a forged one.
    const human = capture(true);
    human.output.error('EXECUTION_NOT_FOUND', "execution 'x\u001b[31m\r\nerror: fake' not found");
    expect(human.err()).toBe("error: execution 'x\\u001b[31m\\r\\nerror: fake' not found\n");
    // The JSON document keeps the message as it is: JSON escapes it.
    expect(JSON.parse(human.out()).error.message).toBe("execution 'x\u001b[31m\r\nerror: fake' not found");
  });

  it('keeps one JSON document on stdout: an error after the data goes to stderr only', () => {
    const machine = capture(true);
    machine.output.data({ a: 1 });
    machine.output.error('E', 'bad');
    expect(machine.out()).toBe('{\n  "a": 1\n}\n');
    expect(machine.err()).toBe('error: bad\n');
  });
});

describe('cliLogger', () => {
  it('prints warnings and errors tersely, and steps aside when ORCHESTRATOR_LOG_LEVEL is set', () => {
    const lines: string[] = [];
    const logger = cliLogger({}, (l) => lines.push(l));
    logger?.info({}, 'quiet');
    logger?.warn({}, 'lease lost');
    logger?.error({ err: new Error('disk full') }, 'sweep failed');
    expect(lines).toEqual(['warning: lease lost\n', 'error: sweep failed: disk full\n']);
    expect(cliLogger({ ORCHESTRATOR_LOG_LEVEL: 'info' })).toBeUndefined();
  });
});

describe('redactUrl (store URLs shown by the CLI and the server)', () => {
  it('masks the user info and a password query parameter, and leaves the rest', () => {
    expect(redactUrl('postgres://app:s3cret@db.internal:5432/orders?schema=a')).toBe(
      'postgres://***@db.internal:5432/orders?schema=a',
    );
    expect(redactUrl('postgres://db.internal/orders?user=app&password=s3cret&schema=a')).toBe(
      'postgres://db.internal/orders?user=app&password=***&schema=a',
    );
    expect(redactUrl('sqlite:./data/orchestrator.sqlite')).toBe('sqlite:./data/orchestrator.sqlite');
    expect(redactUrl('memory')).toBe('memory');
  });

  it('masks the whole of a password with an unencoded @ (which the driver accepts) and an encoded password key', () => {
    // pg-connection-string reads the user info up to the last @: the password here is 'p@ss@word'.
    expect(redactUrl('postgres://app:p@ss@word@db.internal/orders')).toBe(
      'postgres://***@db.internal/orders',
    );
    // The driver decodes query keys: ?pass%77ord= is ?password=.
    expect(redactUrl('postgres://db.internal/orders?pass%77ord=s3cret&schema=a')).toBe(
      'postgres://db.internal/orders?pass%77ord=***&schema=a',
    );
    expect(redactUrl('postgres://db.internal/orders?PASSWORD=s3cret#x')).toBe(
      'postgres://db.internal/orders?PASSWORD=***#x',
    );
  });

  it('masks a password written with a raw /, ? or # (which end the user info for a URL parser)', () => {
    for (const password of ['pa#ss', 'pa/ss', 'pa?ss', 'a/b?c#d']) {
      const shown = redactUrl(`postgres://app:${password}@db.internal/orders?schema=a`);
      expect(shown).toBe('postgres://***@db.internal/orders?schema=a');
      expect(shown).not.toContain(password);
    }
    // A raw @ and a raw /, ? or # together: nothing of the password shows (it showed 'ss#w/rd').
    for (const password of ['p@ss#w/rd', 'a@b?c', 'x@y/z', 'q#r@s']) {
      const shown = redactUrl(`postgres://app:${password}@db.internal:5432/orders`);
      expect(shown).toBe('postgres://***@db.internal:5432/orders');
    }
    // No user info: an @ further on (a parameter's value) leaves the URL as it is.
    expect(redactUrl('postgres://db.internal/orders?application_name=me@host')).toBe(
      'postgres://db.internal/orders?application_name=me@host',
    );
  });
});
