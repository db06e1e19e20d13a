/**
 * The user docs as executable instructions: every TypeScript sample of README.md,
 * examples/README.md and docs/*.md
 * type-checks against the package's API, every shell block parses in the shell it is labelled
 * for, every JSON block parses (the README's workflow definition is a valid one), and every `orchestrator run` line of the README (and `npm run example:voice`) runs its
 * example workflow to completion with the example handlers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { actions, compensations } from '../../examples/handlers.js';
import { COMMANDS } from '../../src/cli/command-list.js';
import { conditionStepSchema, parallelStepSchema } from '../../src/definition/schema.js';
import { buildApp, createOrchestrator, DEFAULTS } from '../../src/index.js';
import { STATUS_BY_CODE } from '../../src/server/errors.js';
import { CONSUMER_COMPILER_OPTIONS } from '../helpers/consumer-ts.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'README.md',
  'examples/README.md',
  ...readdirSync(join(ROOT, 'docs')).flatMap((f) => (f.endsWith('.md') ? [`docs/${f}`] : [])),
];

/** The fenced blocks of one language in a Markdown file, in order. */
function blocks(file: string, lang: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map((m) => m[1] ?? '');
}

/**
 * What the samples leave to the reader (their own services, the objects an earlier sample made),
 * declared with the types the samples use them at. Global, so a sample's own declaration wins.
 */
const PLACEHOLDERS = `
type Api = typeof import('../src/index.js');
declare global {
  function reserve(items: string[], options: { key: string; signal: AbortSignal }): Promise<{ reservationId: string }>;
  function charge(amount: number, options: { key: string }): Promise<{ chargeId: string }>;
  // Services with side effects take the step's idempotency key, as a sample should show.
  function ship(input: unknown, options: { key: string; signal: AbortSignal }): Promise<{ trackingId: string }>;
  function release(reservation: unknown, options: { key: string }): Promise<void>;
  function refund(charge: unknown, options: { key: string }): Promise<void>;
  function transcribe(url: string, options: { signal: AbortSignal; idempotencyKey: string }): Promise<{ text: string }>;
  const orch: import('../src/index.js').Orchestrator;
  const createOrchestrator: Api['createOrchestrator'];
  const actions: Record<string, (input: unknown) => unknown>;
  const compensations: Record<string, (output: unknown) => unknown>;
  const localActions: Record<string, (input: unknown) => unknown>;
  const database: { delete(id: string): Promise<void> };
  const api: { cancelRequest(id: string): Promise<void> };
  const recordId: string;
  const requestId: string;
}
export {};
`;

/** Type-checks the samples as modules next to `src/`, importing `orchestrator` from `src/index.ts`. */
function typeErrors(samples: { name: string; code: string }[]): string[] {
  const dir = join(ROOT, 'docs-samples');
  const virtual = new Map<string, string>([[join(dir, 'placeholders.ts'), PLACEHOLDERS]]);
  for (const { name, code } of samples) {
    virtual.set(
      join(dir, `${name}.ts`),
      `${code
        .replaceAll("from 'orchestrator/worker'", "from '../src/worker.js'")
        .replaceAll("from 'orchestrator'", "from '../src/index.js'")}\nexport {};\n`,
    );
  }
  const options: ts.CompilerOptions = { ...CONSUMER_COMPILER_OPTIONS };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, version, ...rest) => {
    const text = virtual.get(f);
    return text === undefined
      ? getSourceFile.call(host, f, version, ...rest)
      : ts.createSourceFile(f, text, version);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return [...virtual.keys()].flatMap((f) => {
    const source = program.getSourceFile(f);
    if (!source) return [`${f}: not compiled`];
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
      (d) => {
        const at = d.start === undefined ? '' : `:${source.getLineAndCharacterOfPosition(d.start).line + 1}`;
        return `${f.slice(dir.length + 1)}${at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      },
    );
  });
}

describe('TypeScript samples of the docs', () => {
  it('type-check against the package API', () => {
    const samples = DOCS.flatMap((file) =>
      blocks(file, 'ts').map((code, i) => ({ name: `${file.replace(/\W/g, '_')}_${i + 1}`, code })),
    );
    expect(samples.length).toBeGreaterThanOrEqual(5);
    expect(typeErrors(samples)).toEqual([]);
  }, 60_000);
});

describe('the original brief in the README', () => {
  // The seed's calls on its four components (error_recovery.register_compensation, ...), which
  // a user of the brief looks for under their TypeScript names.
  it.each([
    'registerCompensation',
    'compensate',
    'retryStep',
    'resetAttempts',
    'assignWorkflow',
    'completeWorkflow',
    'getLoadDistribution',
    'isBalanced',
    'recordExecution',
    'identifyBottleneck',
    'getAvgExecutionTime',
    'suggestOptimization',
  ])('shows %s in a TypeScript sample', (method) => {
    expect(blocks('README.md', 'ts').some((code) => code.includes(`.${method}(`))).toBe(true);
  });
});

describe('shell samples of the docs', () => {
  // A block labelled `sh` must parse in a POSIX shell (dash is /bin/sh on Debian), not only in
  // bash. Placeholders such as `<executionId>` stand for a value the reader fills in.
  it.each(['sh', 'bash'])('labelled %s parse in that shell', (shell) => {
    const failures = DOCS.flatMap((file) =>
      blocks(file, shell).flatMap((code, i) => {
        const input = code.replace(/<[A-Za-z]+>/g, 'VALUE');
        const r = spawnSync(shell, ['-n'], { input, encoding: 'utf8' });
        return r.status === 0 ? [] : [`${file} ${shell} block ${i + 1}: ${r.stderr.trim()}`];
      }),
    );
    expect(failures).toEqual([]);
  });
});

describe('JSON samples of the docs', () => {
  it('labelled json parse as JSON', () => {
    const failures = DOCS.flatMap((file) =>
      blocks(file, 'json').flatMap((code, i) => {
        try {
          JSON.parse(code);
          return [];
        } catch (error) {
          return [`${file} json block ${i + 1}: ${(error as Error).message}`];
        }
      }),
    );
    expect(failures).toEqual([]);
  });

  it("the README's workflow definition (jsonc) is a valid definition", async () => {
    const [sample] = blocks('README.md', 'jsonc');
    expect(sample).toBeDefined();
    const orch = await createOrchestrator({ store: 'memory' });
    try {
      const def = await orch.workflowEngine.defineWorkflow('readme', JSON.parse(sample ?? ''));
      expect(def.steps.length).toBeGreaterThan(1);
    } finally {
      await orch.close();
    }
  });
});

describe("the README's table of definition keys", () => {
  /** The backticked names in the table row of one key. */
  const row = (key: string) => {
    const line = readFileSync(join(ROOT, 'README.md'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`| \`${key}\``));
    return new Set([...(line ?? '').matchAll(/`([A-Za-z]+)`/g)].map(([, name]) => name));
  };

  // A step kind's own keys are read off its row: a parallel step's `timeout` and `compensation`
  // are not an action step's (the whole step, not one attempt; run with the keyed output).
  it.each([
    ['parallel', parallelStepSchema],
    ['condition', conditionStepSchema],
  ] as const)('names every key a %s step takes in its row', (kind, schema) => {
    const missing = Object.keys(schema.shape).filter((key) => key !== 'name' && !row(kind).has(key));
    expect(missing).toEqual([]);
  });
});

/** The `.ts` files under a folder of the repository, recursively. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('environment variables', () => {
  it('every one the package or its examples read is named in the docs', () => {
    const docs = DOCS.map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n');
    const read = new Set(
      [...sources('src'), ...sources('examples')].flatMap((file) =>
        [...readFileSync(join(ROOT, file), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)].map(
          ([, name]) => name ?? '',
        ),
      ),
    );
    expect(read.size).toBeGreaterThanOrEqual(5);
    expect([...read].filter((name) => !docs.includes(`\`${name}`))).toEqual([]);
  });
});

describe('the HTTP API in the docs', () => {
  it('names every route of the OpenAPI document the service serves', async () => {
    const orch = await createOrchestrator({ store: 'memory' });
    const app = await buildApp(orch, { token: 'docs-samples-token' });
    try {
      const res = await app.inject({ method: 'GET', url: '/openapi.json' });
      const paths = (res.json() as { paths: Record<string, Record<string, unknown>> }).paths;
      const docs = ['README.md', 'docs/remote-workers.md']
        .map((f) => readFileSync(join(ROOT, f), 'utf8'))
        .join('\n');
      const routes = Object.entries(paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
      expect(routes.length).toBeGreaterThanOrEqual(15);
      // `GET /v1/workflows/:id[?version=]`, `GET /v1/executions?status=...`: the route, then its query.
      expect(routes.filter((route) => !new RegExp(`\`${route}[\`[?]`).test(docs))).toEqual([]);
    } finally {
      await app.close();
      await orch.close();
    }
  });

  it("gives each error code the status of src/server/errors.ts's table", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const paragraph = /^Errors are one envelope[\s\S]*?\n\n/m.exec(readme)?.[0] ?? '';
    const documented = Object.fromEntries(
      Object.keys(STATUS_BY_CODE).map((code) => {
        // `CODE` 409 ..., `A` / `B` / `CODE` 404, or a 500 `INTERNAL`.
        const after = new RegExp(`\`${code}\`(?: / \`[A-Z_]+\`)*([^\`]*)`).exec(paragraph)?.[1] ?? '';
        const status =
          /\b(\d{3})\b/.exec(after)?.[1] ?? new RegExp(`(\\d{3}) \`${code}\``).exec(paragraph)?.[1];
        return [code, status === undefined ? undefined : Number(status)];
      }),
    );
    expect(documented).toEqual(STATUS_BY_CODE);
    const named = [...paragraph.matchAll(/`([A-Z][A-Z_]+)`/g)].map(([, code]) => code ?? '');
    expect(named.filter((code) => !Object.hasOwn(STATUS_BY_CODE, code))).toEqual([]);
  });
});

/** The keys `createOrchestrator` takes, read off the `OrchestratorOptions` type. */
function orchestratorOptionKeys(): string[] {
  const file = join(ROOT, 'src/orchestrator.ts');
  const program = ts.createProgram([file], { ...CONSUMER_COMPILER_OPTIONS, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const decl = source?.statements.find(
    (s): s is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(s) && s.name.text === 'OrchestratorOptions',
  );
  if (!decl) throw new Error('OrchestratorOptions not found in src/orchestrator.ts');
  return checker
    .getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(decl.name) as ts.Symbol)
    .getProperties()
    .map((p) => p.name);
}

describe("the README's configuration table", () => {
  const section =
    /^## Configuration\n([\s\S]*?)^## /m.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1] ?? '';
  /** Each row's keys (`actions`, `compensations` share one) and default cell. */
  const rows = section.split('\n').flatMap((line) => {
    const cells = line.split(' | ');
    if (!line.startsWith('| `') || cells.length < 3) return [];
    const keys = [...(cells[0] ?? '').matchAll(/`(\w+)`/g)].map(([, key]) => key ?? '');
    return keys.map((key) => [key, (cells[1] ?? '').replaceAll('`', '').trim()] as const);
  });
  const table = new Map(rows);

  it('has a row for every key createOrchestrator takes, and no other', () => {
    const keys = orchestratorOptionKeys();
    expect(keys.length).toBeGreaterThanOrEqual(20);
    expect(keys.filter((key) => !table.has(key))).toEqual([]);
    expect([...table.keys()].filter((key) => !keys.includes(key))).toEqual([]);
  }, 60_000);

  it.each(Object.entries(DEFAULTS))('gives %s the default of src/config.ts', (key, value) => {
    expect(table.get(key)).toBe(typeof value === 'object' ? JSON.stringify(value) : String(value));
  });
});

/** The keys of every `*Options` type `src/index.ts` exports, by type name. */
function exportedOptionKeys(): Map<string, string[]> {
  const file = join(ROOT, 'src/index.ts');
  const program = ts.createProgram([file], { ...CONSUMER_COMPILER_OPTIONS, noEmit: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file) as ts.SourceFile) as ts.Symbol;
  return new Map(
    checker
      .getExportsOfModule(module)
      .filter((symbol) => symbol.name.endsWith('Options'))
      .map((symbol) => {
        const type = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(symbol));
        return [symbol.name, type.getProperties().map((p) => p.name)] as const;
      }),
  );
}

describe("the README's options table", () => {
  const section =
    /^### Options\n([\s\S]*?)^### /m.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1] ?? '';
  /** Each row's type name and the keys of its second cell. */
  const rows = new Map(
    section.split('\n').flatMap((line) => {
      const cells = line.split(' | ');
      const type = /^\| `(\w+Options)`/.exec(line)?.[1];
      if (!type || cells.length < 3) return [];
      return [[type, [...(cells[1] ?? '').matchAll(/`(\w+)`/g)].map(([, key]) => key ?? '')] as const];
    }),
  );

  it('names every key of every exported options type, and no other', () => {
    const types = exportedOptionKeys();
    expect(types.size).toBeGreaterThanOrEqual(20);
    const wrong = [...types].flatMap(([type, keys]) => {
      // The config's keys have a table of their own (checked above).
      if (type === 'OrchestratorOptions') return [];
      const named = rows.get(type);
      if (!named) return [`${type}: no row`];
      return [
        ...keys.filter((key) => !named.includes(key)).map((key) => `${type}: ${key} not named`),
        ...named.filter((key) => !keys.includes(key)).map((key) => `${type}: ${key} is no option`),
      ];
    });
    expect(wrong).toEqual([]);
    expect([...rows.keys()].filter((type) => !types.has(type))).toEqual([]);
  }, 60_000);
});

describe('the CLI in the README', () => {
  it('names every command and every option `--help` lists', () => {
    const program = new Command('orchestrator');
    for (const register of COMMANDS) register(program);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const missing = program.commands.flatMap((command) => [
      ...(readme.includes(`orchestrator ${command.name()}`) ? [] : [command.name()]),
      ...command.options
        .map((option) => option.long ?? '')
        .filter((flag) => !new RegExp(`[\\s\`[]${flag}\\b`).test(readme))
        .map((flag) => `${command.name()} ${flag}`),
    ]);
    expect(program.commands.length).toBe(12);
    expect(missing).toEqual([]);
  });
});

/** `orchestrator run <file> ... --input '<json>'` in the README's bash blocks and the example script. */
function runLines(): { line: string; file: string; input: string }[] {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
    string,
    string
  >;
  const lines = [
    ...blocks('README.md', 'bash').flatMap((b) => b.split('\n')),
    scripts['example:voice'] ?? '',
  ];
  return lines.flatMap((line) => {
    const m = /\brun (\S+\.json) .*--input '([^']*)'/.exec(line);
    return m?.[1] && m[2] ? [{ line, file: m[1], input: m[2] }] : [];
  });
}

describe('`orchestrator run` lines of the README', () => {
  const lines = runLines();

  it('are found', () => {
    expect(lines.length).toBeGreaterThanOrEqual(2);
  });

  it.each(lines)('complete as written: $line', async ({ file, input }) => {
    const definition = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
    const orch = await createOrchestrator({ store: 'memory', actions, compensations });
    try {
      await orch.workflowEngine.defineWorkflow(definition.id, definition.steps, definition.options);
      // `fast` only shortens the simulated latencies; the input is otherwise the README's.
      const id = await orch.workflowEngine.executeWorkflow(definition.id, {
        ...JSON.parse(input),
        fast: true,
      });
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 20 });
      expect({ status: status.status, error: status.error }).toEqual({
        status: 'completed',
        error: undefined,
      });
    } finally {
      await orch.close();
    }
  });
});

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** A Markdown file's text outside its fenced code blocks. */
function prose(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

/** The anchors of a Markdown file's headings (a repeated heading gets `-1`, `-2`, ...). */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(file).matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const base = slug(heading ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('links of the docs', () => {
  it('name files that exist and headings that exist', () => {
    const broken = DOCS.flatMap((file) =>
      [...prose(file).matchAll(/\]\(([^)\s]+)\)/g)].flatMap(([, link = '']) => {
        if (/^[a-z]+:/i.test(link)) return [];
        const [path = '', anchor] = link.split('#');
        const target = path ? join(dirname(file), path) : file;
        if (!existsSync(join(ROOT, target))) return [`${file}: ${link} (no file ${target})`];
        if (anchor !== undefined && !anchors(target).has(anchor))
          return [`${file}: ${link} (no heading with anchor #${anchor} in ${target})`];
        return [];
      }),
    );
    expect(broken).toEqual([]);
  });

  it("list every section in a page's contents", () => {
    const missing = DOCS.flatMap((file) => {
      const text = prose(file);
      // The contents: a list of in-page links before the first section.
      const intro = text.split(/^## /m)[0] ?? '';
      const listed = new Set([...intro.matchAll(/^- \[[^\]]*\]\(#([^)]+)\)$/gm)].map(([, a]) => a));
      if (listed.size === 0) return [];
      return [...text.matchAll(/^## (.*)$/gm)]
        .map(([, heading]) => slug(heading ?? ''))
        .filter((anchor) => !listed.has(anchor))
        .map((anchor) => `${file}: section #${anchor} is not in its contents`);
    });
    expect(missing).toEqual([]);
  });
});
