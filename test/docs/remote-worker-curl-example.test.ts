/**
 * Runs the "Quick start with curl" of docs/remote-workers.md as written: every `curl` line of the
 * section, in order, by bash and the curl binary, against `buildApp` with its default hub (as
 * `serve` has it), with only the service's address, the token and the ids the service handed out
 * put in. Each answer is checked against the `# <status> <body>` comment under its command: the
 * same status and the same JSON, up to the ids and times (`...` in a comment elides the rest).
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, createOrchestrator } from '../../src/index.js';

const run = promisify(execFile);
const hasTools =
  spawnSync('curl', ['--version']).status === 0 && spawnSync('bash', ['--version']).status === 0;
const PAGE = readFileSync(join(import.meta.dirname, '../../docs/remote-workers.md'), 'utf8');
const TOKEN = 'docs-curl-sample-token';
/** The ids the page shows (`rw_…`, `rt_…`, `exec_…`), replaced by the ones the service gives. */
const ID = /\b(?:rw|rt|exec)_[A-Za-z0-9_-]+/g;
const WHOLE_ID = /^(?:rw|rt|exec)_[A-Za-z0-9_-]+$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Command {
  line: string;
  /** The comment under it: the status, if given, and the body (null: none shown). */
  status: number | null;
  body: string | null;
}

/** The section's shell lines: setup (exports, assignments) and `curl` commands with their comments. */
function section(): { setup: string[]; commands: (Command | { assign: string })[] } {
  const start = PAGE.indexOf('## Quick start with curl');
  const text = PAGE.slice(start, PAGE.indexOf('\n## ', start + 1));
  const lines = [...text.matchAll(/^```bash\n([\s\S]*?)^```/gm)]
    .flatMap((m) => (m[1] ?? '').replace(/\\\n\s*/g, '').split('\n'))
    .filter((l) => l.trim() !== '');
  const setup: string[] = [];
  const commands: (Command | { assign: string })[] = [];
  let comment: string[] = [];
  const flush = () => {
    const last = commands.at(-1);
    if (last && 'line' in last && comment.length > 0) {
      const shown = comment.join('');
      const m = /^(\d{3})?\s*(.*)$/.exec(shown);
      last.status = m?.[1] ? Number(m[1]) : null;
      const body = (m?.[2] ?? '').trim();
      last.body = body === '' || body === '(no body)' ? null : body;
    }
    comment = [];
  };
  for (const line of lines) {
    if (line.startsWith('#')) {
      comment.push(line.replace(/^#\s*/, ''));
      continue;
    }
    flush();
    if (line.startsWith('curl ')) commands.push({ line, status: null, body: null });
    else if (/^[WT]=/.test(line)) commands.push({ assign: line });
    else setup.push(line);
  }
  flush();
  return { setup, commands };
}

/**
 * Checks `actual` against the page's `expected` (parsed from its comment): the same keys and values,
 * ids mapped to the service's (recorded in `ids` as they first appear), ISO times as any ISO time.
 */
function compare(
  expected: unknown,
  actual: unknown,
  ids: Map<string, string>,
  path: string,
  partial: boolean,
): void {
  if (typeof expected === 'string') {
    if (ISO.test(expected)) {
      expect(actual, path).toMatch(ISO);
    } else if (WHOLE_ID.test(expected) && !ids.has(expected)) {
      expect(actual, path).toBeTypeOf('string');
      expect((actual as string).split('_')[0], path).toBe(expected.split('_')[0]);
      ids.set(expected, actual as string);
    } else {
      expect(actual, path).toBe(expected.replace(ID, (id) => ids.get(id) ?? id));
    }
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(actual, path).toBeTypeOf('object');
    const exp = expected as Record<string, unknown>;
    const act = actual as Record<string, unknown>;
    if (!partial) expect(Object.keys(act).sort(), path).toEqual(Object.keys(exp).sort());
    for (const key of Object.keys(exp)) compare(exp[key], act[key], ids, `${path}.${key}`, false);
    return;
  }
  expect(actual, path).toEqual(expected);
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("docs/remote-workers.md's quick start with curl, run", () => {
  it('answers every command as the comments under it show', async () => {
    expect(hasTools, 'bash and the curl binary are needed (.ci/run installs curl)').toBe(true);
    const orch = await createOrchestrator({ store: 'memory' });
    cleanups.push(() => orch.close());
    const app = await buildApp(orch, { token: TOKEN });
    cleanups.push(() => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });

    const { setup, commands } = section();
    expect(setup.join('\n')).toContain('export ORCH=http://127.0.0.1:8080');
    expect(setup.join('\n')).toContain('export TOKEN=...');
    const prelude = [
      'curl() { command curl -w \'\\n%{http_code}\' "$@"; }',
      ...setup.map((l) => l.replace('http://127.0.0.1:8080', url).replace('TOKEN=...', `TOKEN=${TOKEN}`)),
    ];
    const ids = new Map<string, string>();
    const withIds = (text: string) => text.replace(ID, (id) => ids.get(id) ?? id);
    let ran = 0;
    for (const command of commands) {
      if ('assign' in command) {
        prelude.push(withIds(command.assign));
        continue;
      }
      const line = withIds(command.line);
      expect(line, 'an id the page uses before the service gave it').not.toMatch(/rw_5rUq|rt__fwL/);
      const { stdout } = await run('bash', ['-c', [...prelude, line].join('\n')]);
      const cut = stdout.lastIndexOf('\n');
      const status = Number(stdout.slice(cut + 1));
      const body = stdout.slice(0, cut);
      ran++;
      if (command.status !== null) expect(status, command.line).toBe(command.status);
      else expect(status, command.line).toBeLessThan(300);
      if (command.body === null) {
        if (command.status === 204) expect(body, command.line).toBe('');
        continue;
      }
      const partial = command.body.endsWith(',...}');
      const shown = JSON.parse(partial ? `${command.body.slice(0, -',...}'.length)}}` : command.body);
      compare(shown, JSON.parse(body), ids, command.line, partial);
    }
    // register, define, start, poll, heartbeat, complete, read, deregister.
    expect(ran).toBe(8);
    expect([...ids.keys()].map((id) => id.split('_')[0]).sort()).toEqual(['exec', 'rt', 'rw']);
  });
});
