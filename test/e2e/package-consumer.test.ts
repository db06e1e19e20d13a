/**
 * The package as a user installs it: built from the sources into a folder of its own, packed by
 * `npm pack` (so `files` decides what ships), unpacked into another project's `node_modules` next
 * to the production dependencies only — none of this repository's dev dependencies can stand in
 * for a missing one. That project then imports it as an ES module (also with code generation
 * from strings disallowed), requires it from CommonJS, compiles TypeScript against its
 * declarations with `skipLibCheck` off, opens SQLite without better-sqlite3's native module built,
 * runs `orchestrator/worker` with none of the engine's dependencies, and runs its command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './fixtures/serve-to-files.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

let work: string;
let project: string;

/** The package built from the sources and packed as `npm publish` would: the tarball's path. */
function packed(): string {
  const stage = join(work, 'stage');
  mkdirSync(stage);
  cpSync(join(ROOT, 'package.json'), join(stage, 'package.json'));
  for (const entry of pkg.files as string[]) {
    if (!entry.startsWith('dist/')) cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  execFileSync(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.json'), '--outDir', join(stage, 'dist')], {
    stdio: 'pipe',
  });
  const copied = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts', 'copy-assets.mjs'), join(stage, 'dist')],
    {
      encoding: 'utf8',
    },
  );
  // Its report goes to stderr: `npm run bench -- --json` builds first, and its stdout is JSON lines.
  if (
    copied.status !== 0 ||
    copied.stdout !== '' ||
    !/^copy-assets: \d+ file\(s\) copied/.test(copied.stderr)
  ) {
    throw new Error(
      `copy-assets: exit ${copied.status}, stdout ${JSON.stringify(copied.stdout)}, stderr ${copied.stderr}`,
    );
  }
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: stage,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return join(work, JSON.parse(out)[0].filename);
}

/** A project with the tarball unpacked and this repository's production dependencies linked in. */
function consumer(tarball: string): string {
  const dir = join(work, 'project');
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'orchestrator'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  execFileSync('tar', ['-xzf', tarball, '-C', join(modules, 'orchestrator'), '--strip-components=1']);
  // npm hoists every production dependency it can to the top; the others live inside their parents.
  const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const top = join(ROOT, 'node_modules');
  const names = new Set<string>();
  for (const path of listed.split('\n')) {
    const name = relative(top, path);
    if (name && !name.startsWith('..') && !name.split(sep).includes('node_modules')) names.add(name);
  }
  // A TypeScript project on Node.js has Node's own types, whatever the package needs.
  names.add(join('@types', 'node'));
  for (const name of names) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(top, name), join(modules, name), 'dir');
  }
  return dir;
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function typecheck(file: string, resolution: 'nodenext' | 'bundler'): string {
  const module = resolution === 'nodenext' ? 'nodenext' : 'esnext';
  const args = [
    TSC,
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    'false',
    '--target',
    'es2022',
    '--module',
    module,
  ];
  const r = spawnSync(process.execPath, [...args, '--moduleResolution', resolution, file], {
    cwd: project,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return `${r.stdout}${r.stderr}`.trim() || `exit ${r.status}`;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'orch-package-'));
  project = consumer(packed());
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package in another project', () => {
  it('imports as an ES module and runs a workflow on the SQLite store (its migrations shipped)', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { createOrchestrator } from 'orchestrator';
const orch = await createOrchestrator({ store: 'sqlite:./data/o.sqlite', actions: { hello: (i) => ({ hi: i.name }) } });
await orch.workflowEngine.defineWorkflow('w', [{ name: 'hello' }]);
const id = await orch.workflowEngine.executeWorkflow('w', { name: 'Ada' });
const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
console.log(status.status, JSON.stringify(status.outputData));
await orch.close();
`,
    );
    const r = run(['esm.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('completed {"hello":{"hi":"Ada"}}');
    expect(r.status).toBe(0);
  }, 60_000);

  it('runs with code generation from strings disallowed: expressions are evaluated without eval', () => {
    // A condition, a list, an input expression; on SQLite, with its migrations.
    writeFileSync(
      join(project, 'no-eval.mjs'),
      `import { createOrchestrator } from 'orchestrator';
const orch = await createOrchestrator({ store: 'sqlite:./data/no-eval.sqlite', actions: { a: (i) => ({ x: i.n * 2 }) } });
await orch.workflowEngine.defineWorkflow('no-eval', [
  { name: 'a' },
  { name: 'check', condition: "result.x > 2 && input.n in [1, 2, 3]", then: 'b' },
  { name: 'skipped', action: 'noop' },
  { name: 'b', action: 'noop', input: "{'y': steps.a.output.x + 1, 'tags': ['t'].map(t, t + '!')}" },
]);
const id = await orch.workflowEngine.executeWorkflow('no-eval', { n: 2 });
const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
console.log(status.status, JSON.stringify(status.outputData));
await orch.close();
`,
    );
    const r = run(['--disallow-code-generation-from-strings', 'no-eval.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('completed {"a":{"x":4},"b":{"y":5,"tags":["t!"]}}');
    // The flag acts: code from a string is refused.
    const refused = run(['--disallow-code-generation-from-strings', '-e', 'new Function("return 1")']);
    expect(refused.stderr).toContain('EvalError: Code generation from strings disallowed');
  }, 60_000);

  it('is required from CommonJS (Node.js 20.19+ loads the ES module)', () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { createOrchestrator, ValidationError } = require('orchestrator');
createOrchestrator({ store: 'memory', maxConcurrentWorkflows: 0 }).then(
  () => console.log('accepted'),
  (e) => console.log(e instanceof ValidationError, e.message.split('\\n')[0]),
);
const worker = require('orchestrator/worker');
console.log(typeof worker.createRemoteWorker, worker.ValidationError === ValidationError);
`,
    );
    const r = run(['cjs.cjs']);
    expect(r.stderr).toBe('');
    // The worker entry is required through its own `default` condition, and shares the root's classes.
    expect(r.stdout).toMatch(/^function true\ntrue .*maxConcurrentWorkflows/);
    expect(r.status).toBe(0);
  }, 60_000);

  it.each(['nodenext', 'bundler'] as const)(
    'compiles TypeScript against its declarations with skipLibCheck off (moduleResolution %s)',
    (resolution) => {
      writeFileSync(
        join(project, 'typed.mts'),
        `import { createOrchestrator, PostgresStore, SqliteStore, type ExecutionStatus } from 'orchestrator';
const store = process.env.PG ? new PostgresStore(process.env.PG, { poolSize: 4 }) : new SqliteStore('o.sqlite');
const orch = await createOrchestrator({ store, actions: { a: (input: unknown) => ({ input }) } });
const id: string = await orch.workflowEngine.executeWorkflow('w');
const status: ExecutionStatus | null = await orch.workflowEngine.getExecutionStatus(id);
export const done: boolean = status?.status === 'completed';
`,
      );
      expect(typecheck('typed.mts', resolution)).toBe('exit 0');
      // The check can fail: a type error in the consumer is reported.
      writeFileSync(
        join(project, 'wrong.mts'),
        `import { SqliteStore } from 'orchestrator';\nnew SqliteStore(1);\n`,
      );
      expect(typecheck('wrong.mts', resolution)).toMatch(/wrong\.mts\(2,17\): error TS2345/);
    },
    240_000,
  );

  it('says what to do when better-sqlite3 was installed without building its native module', () => {
    // As `npm install --ignore-scripts` leaves it, or npm 11+ before the project approves its script.
    const installed = join(project, 'node_modules', 'better-sqlite3');
    const built = realpathSync(installed);
    rmSync(installed);
    mkdirSync(installed);
    cpSync(join(built, 'package.json'), join(installed, 'package.json'));
    cpSync(join(built, 'lib'), join(installed, 'lib'), { recursive: true });
    try {
      writeFileSync(
        join(project, 'unbuilt.mjs'),
        `import { createOrchestrator } from 'orchestrator';
try {
  await createOrchestrator({ store: 'sqlite:./data/unbuilt.sqlite' });
} catch (error) {
  console.log(error.code, error.message);
}
const memory = await createOrchestrator({ store: 'memory' });
await memory.close();
console.log('memory store: fine');
`,
      );
      const r = run(['unbuilt.mjs']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(
        `STORE_UNAVAILABLE Cannot open SQLite store '${join(project, 'data', 'unbuilt.sqlite')}': ` +
          "better-sqlite3's native module is not built (its install script did not run): run `npm rebuild better-sqlite3` " +
          '(npm 11 and later run it only once the project approves it: `npm install-scripts approve better-sqlite3`)\n' +
          'memory store: fine\n',
      );
    } finally {
      rmSync(installed, { recursive: true });
      symlinkSync(built, installed, 'dir');
    }
  }, 60_000);

  it("serves remote workers from 'orchestrator/worker', which loads none of the engine's dependencies", () => {
    // A project with the package and zod only: no fastify, pg, better-sqlite3, pino, ...
    const lean = join(work, 'worker-only');
    mkdirSync(join(lean, 'node_modules'), { recursive: true });
    writeFileSync(
      join(lean, 'package.json'),
      JSON.stringify({ name: 'worker', private: true, type: 'module' }),
    );
    cpSync(join(project, 'node_modules', 'orchestrator'), join(lean, 'node_modules', 'orchestrator'), {
      recursive: true,
    });
    symlinkSync(join(ROOT, 'node_modules', 'zod'), join(lean, 'node_modules', 'zod'), 'dir');
    writeFileSync(
      join(lean, 'worker.mjs'),
      `import { createRemoteWorker, NonRetryableError, ValidationError } from 'orchestrator/worker';
try {
  createRemoteWorker({ url: 'http://127.0.0.1:1', token: 't', actions: { noop: () => 1 } });
} catch (error) {
  console.log(error instanceof ValidationError, error.message.split('\\n')[0]);
}
const worker = createRemoteWorker({ url: 'http://127.0.0.1:1', token: 't', actions: { stt: () => 1 } });
console.log(typeof worker.start, new NonRetryableError('no').code);
try {
  await import('orchestrator');
} catch (error) {
  console.log('package root:', error.code);
}
`,
    );
    const r = spawnSync(process.execPath, ['worker.mjs'], { cwd: lean, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      expect.stringMatching(/^true .*noop/),
      'function NON_RETRYABLE',
      'package root: ERR_MODULE_NOT_FOUND',
      '',
    ]);
  }, 60_000);

  it("runs the orchestrator command from the package's bin", () => {
    const bin = join(project, 'node_modules', 'orchestrator', pkg.bin.orchestrator);
    const version = run([bin, '--version']);
    expect(version.stdout.trim()).toBe(pkg.version);
    const migrate = run([bin, 'migrate', '--store', 'sqlite:./data/cli.sqlite']);
    expect(migrate.stderr).toBe('');
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toMatch(/sqlite:\.\/data\/cli\.sqlite/);
  }, 60_000);
});
