/**
 * The CLI end to end: `run` of the examples (success, retry, parallel + condition, saga
 * compensation, `--json`), the store commands on the executions it left, and usage errors.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/index.js';
import { type CliResult, cli, HANDLERS, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore();
afterAll(() => store.remove());

const voiceInput = (extra: object = {}) =>
  JSON.stringify({ audioUrl: 'https://example.com/hello.wav', userId: 7, fast: true, ...extra });
const run = (file: string, input: string, ...more: string[]) =>
  cli(['run', file, '--handlers', HANDLERS, '--store', store.url, '--input', input, ...more]);

const executionId = (r: CliResult): string => {
  const m = r.stdout.match(/Execution (exec_\w+)/);
  if (!m?.[1]) throw new Error(`no execution id in:\n${r.stdout}\n${r.stderr}`);
  return m[1];
};

let voice: CliResult;
let saga: CliResult;
let json: CliResult;
let pipeline: CliResult;
let retry: CliResult;

beforeAll(async () => {
  [voice, saga, json, pipeline, retry] = await Promise.all([
    run('examples/voice-transcription.json', voiceInput()),
    run(
      'examples/user-registration.json',
      JSON.stringify({ email: 'ada@example.com', name: 'Ada', fast: true, fail: 'create_session' }),
    ),
    cli([
      '--json',
      'run',
      'examples/voice-transcription.json',
      '--handlers',
      HANDLERS,
      '--store',
      store.url,
      '--input',
      voiceInput(),
    ]),
    run('examples/data-pipeline.json', JSON.stringify({ fast: true, invalidRows: 2 })),
    run('test/e2e/fixtures/cli-retry.json', voiceInput({ failures: { transcribe_stt: 1 } })),
  ]);
  // Five CLI processes at once, each loading the library: past the 30 s default on a loaded 2-core
  // machine (CI beside other test runs).
}, 90_000);

describe('orchestrator run', () => {
  it('runs the voice example to completion with live progress and a summary (exit 0)', () => {
    expect(voice.stderr).toBe('');
    expect(voice.code).toBe(0);
    const out = voice.stdout;
    expect(out).toMatch(/Workflow voice-transcription v\d+ \(5 steps\) on sqlite:/);
    for (const step of [
      'validate_audio',
      'transcribe_stt',
      'process_llm',
      'synthesize_tts',
      'store_result',
    ]) {
      expect(out).toMatch(new RegExp(`${step}\\s+started\\s+attempt 1`));
      expect(out).toMatch(new RegExp(`${step}\\s+completed\\s+in \\d+ ms`));
    }
    expect(out).toMatch(/execution\s+completed in/);
    expect(out).toMatch(/Execution exec_\w+ {2}completed/);
    expect(out).toContain('5/5 completed');
    expect(out).toMatch(/STEP\s+STATUS\s+ATTEMPTS\s+DURATION/);
    expect(out).toMatch(/Outputs\n/);
    expect(out).toMatch(/store_result\s+\{"resultId":"res_\w+"\}/);
    expect(out).not.toContain('\u001b[');
  });

  it('shows a failed step, the saga compensating and the compensated steps (exit 1)', () => {
    expect(saga.code).toBe(1);
    const out = saga.stdout;
    expect(out).toMatch(/create_session\s+failed\s+attempt 1 .*SIMULATED_FAILURE: .*; no retry/);
    expect(out).toMatch(/saga\s+SIMULATED_FAILURE: compensating 1 step in reverse order: create_user/);
    expect(out).toMatch(/create_user\s+compensating with delete_user \(attempt 1\)/);
    expect(out).toMatch(/create_user\s+compensated\s+in/);
    expect(out).toMatch(/execution\s+failed after .*: SIMULATED_FAILURE at create_session/);
    expect(out).toMatch(/Error\n {2}SIMULATED_FAILURE at step create_session/);
    expect(out).toMatch(/Compensated\n {2}create_user/);
    expect(saga.stderr).toMatch(/undo create_user: deleting user usr_\w+/);
  });

  it('prints only the final ExecutionStatus with --json', () => {
    expect(json.code).toBe(0);
    const status = parseJson<ExecutionStatus>(json.stdout);
    expect(status).toMatchObject({
      workflowId: 'voice-transcription',
      status: 'completed',
      stepsCompleted: 5,
    });
    expect(status.steps.map((s) => s.name)).toEqual([
      'validate_audio',
      'transcribe_stt',
      'process_llm',
      'synthesize_tts',
      'store_result',
    ]);
    expect(Object.keys(status.outputData)).toHaveLength(5);
  });

  it('shows parallel branches and the condition decision of the data pipeline', () => {
    expect(pipeline.code).toBe(0);
    const out = pipeline.stdout;
    expect(out).toMatch(/transform_data\/transform_orders\s+started/);
    expect(out).toMatch(/transform_data\/transform_customers\s+completed/);
    expect(out).toMatch(/check_quality\s+decided\s+'else' -> quarantine_invalid/);
    expect(out).toMatch(/\n {4}transform_orders\s+completed\s+1/);
    expect(out).toMatch(/check_quality\s+completed\s+-\s+\d+ ms\s+took 'else'/);
    expect(out).toMatch(/load_data\s+\{"loadId":"load_\w+","batchId":"batch_\w+","rowsLoaded":9998\}/);
  });

  it('shows a failed attempt with its retry delay, then the retry', () => {
    expect(retry.code).toBe(0);
    const out = retry.stdout;
    expect(out).toMatch(
      /transcribe_stt\s+failed\s+attempt 1 after \d+ ms: SERVICE_UNAVAILABLE: .*; retry in 0\.05s/,
    );
    expect(out).toMatch(/transcribe_stt\s+started\s+attempt 2 \(retry 1\)/);
    expect(out).toMatch(/transcribe_stt\s+completed\s+in \d+ ms on attempt 2/);
    expect(out).toMatch(/transcribe_stt\s+completed\s+2\s+\d+ ms\s+1 retry/);
  });
});

describe('store commands', () => {
  it('status prints the summary of an execution, or its ExecutionStatus with --json', async () => {
    const id = executionId(saga);
    const [human, machine] = await Promise.all([
      cli(['status', id, '--store', store.url]),
      cli(['status', id, '--store', store.url, '--json']),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`Execution ${id} {2}failed`));
    expect(human.stdout).toMatch(/create_user\s+completed\s+1\s+\d+ ms\s+compensated/);
    expect(human.stdout).toMatch(/create_session\s+failed\s+1\s+\d+ ms\s+SIMULATED_FAILURE/);
    const status = parseJson<ExecutionStatus>(machine.stdout);
    expect(status).toMatchObject({ id, status: 'failed', compensatedSteps: ['create_user'] });
  });

  it('status and cancel of an unknown id fail with exit 1', async () => {
    const [r, cancel] = await Promise.all([
      cli(['status', 'exec_nope', '--store', store.url]),
      cli(['--json', 'cancel', 'exec_nope', '--store', store.url]),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: execution 'exec_nope' not found in store ${store.url}\n`);
    expect(cancel.code).toBe(1);
    expect(parseJson(cancel.stdout)).toEqual({
      error: {
        code: 'EXECUTION_NOT_FOUND',
        message: `execution 'exec_nope' not found in store ${store.url}`,
      },
    });
  });

  it('list shows every execution newest first, filtered by status and workflow', async () => {
    const [all, failed, voiceOnly, limited] = await Promise.all([
      cli(['list', '--store', store.url]),
      cli(['list', '--status', 'failed', '--store', store.url, '--json']),
      cli(['list', '--workflow', 'voice-transcription', '--store', store.url, '--json']),
      cli(['list', '--limit', '2', '--store', store.url]),
    ]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^ID\s+WORKFLOW\s+STATUS\s+STEPS\s+STARTED\s+DURATION\s+WORKER\s+ERROR\n/);
    for (const r of [voice, saga, pipeline, retry]) expect(all.stdout).toContain(executionId(r));
    expect(all.stdout).toContain('5 executions (newest first)');
    expect(parseJson<ExecutionStatus[]>(failed.stdout).map((s) => s.id)).toEqual([executionId(saga)]);
    const voices = parseJson<ExecutionStatus[]>(voiceOnly.stdout);
    expect(voices).toHaveLength(2);
    expect(voices.every((s) => s.workflowId === 'voice-transcription')).toBe(true);
    expect(limited.stdout).toContain('2 executions of 5; use --limit to see more, or --before ');
  });

  it('list pages by cursor with --before <id>', async () => {
    const all = parseJson<ExecutionStatus[]>((await cli(['list', '--store', store.url, '--json'])).stdout);
    expect(all).toHaveLength(5);
    const [page, human, last, bad, none] = await Promise.all([
      cli(['list', '--limit', '2', '--before', all[1]!.id, '--store', store.url, '--json']),
      cli(['list', '--limit', '2', '--before', all[1]!.id, '--store', store.url]),
      cli(['list', '--limit', '2', '--before', all[3]!.id, '--store', store.url]),
      cli(['list', '--before', 'nope', '--store', store.url]),
      cli(['list', '--before', all[4]!.id, '--store', store.url]),
    ]);
    // Past the oldest: none older than it (it said "after", the listing's order, read backwards).
    expect(none.stdout).toBe(`No executions older than ${all[4]!.id} in store ${store.url}.\n`);
    expect(parseJson<ExecutionStatus[]>(page.stdout).map((s) => s.id)).toEqual([all[2]!.id, all[3]!.id]);
    expect(human.stdout).toContain(
      `2 executions older than ${all[1]!.id}; next page: --before ${all[3]!.id}`,
    );
    expect(human.stdout).toContain(`; previous page: --after ${all[2]!.id} (newest first)`);
    // The last page: no next page, but the way back to the page before it.
    expect(last.stdout).toContain(
      `1 execution older than ${all[3]!.id}; previous page: --after ${all[4]!.id} (newest first)`,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "option '--before <id>' argument 'nope' is invalid. Expected an execution id",
    );
  });

  it('list pages back with --after <id>, not together with --before', async () => {
    const all = parseJson<ExecutionStatus[]>((await cli(['list', '--store', store.url, '--json'])).stdout);
    expect(all).toHaveLength(5);
    const ids = all.map((s) => s.id);
    const [page, human, newest, both, bad] = await Promise.all([
      cli(['list', '--limit', '2', '--after', ids[4]!, '--store', store.url, '--json']),
      cli(['list', '--limit', '2', '--after', ids[4]!, '--store', store.url]),
      cli(['list', '--limit', '2', '--after', ids[1]!, '--store', store.url]),
      cli(['list', '--before', ids[1]!, '--after', ids[3]!, '--store', store.url]),
      cli(['list', '--after', 'nope', '--store', store.url]),
    ]);
    // The two nearest before the cursor, newest first.
    expect(parseJson<ExecutionStatus[]>(page.stdout).map((s) => s.id)).toEqual([ids[2], ids[3]]);
    expect(human.stdout).toContain(
      `2 executions newer than ${ids[4]}; next page: --before ${ids[3]}; previous page: --after ${ids[2]} (newest first)`,
    );
    expect(newest.stdout).toContain(
      `1 execution newer than ${ids[1]}, the newest; next page: --before ${ids[0]} (newest first)`,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--after <id>' cannot be used with option '--before <id>'");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "option '--after <id>' argument 'nope' is invalid. Expected an execution id",
    );
  });

  it('metrics --workflow names the workflows the store knows when the one given is not defined', async () => {
    const [typo, known] = await Promise.all([
      cli(['metrics', '--store', store.url, '--workflow', 'user-registraton']),
      cli(['metrics', '--store', store.url, '--workflow', 'user-registration']),
    ]);
    expect(typo.code).toBe(0);
    expect(typo.stdout).toMatch(/executions\s+0 total/);
    expect(typo.stdout).toMatch(
      /No workflow user-registraton is defined in this store \(it knows [^)]*\buser-registration\b[^)]*\)\. Did you mean user-registration\?/,
    );
    expect(known.code).toBe(0);
    expect(known.stdout).not.toContain('No workflow');
  });

  it('metrics reports counts and rates from the store', async () => {
    const [human, machine, all] = await Promise.all([
      cli(['metrics', '--store', store.url]),
      cli(['metrics', '--store', store.url, '--json', '--workflow', 'user-registration']),
      cli(['metrics', '--store', store.url, '--json']),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/executions\s+5 total: 4 completed, 1 failed, 0 cancelled/);
    expect(human.stdout).toMatch(/success rate\s+80\.0%/);
    expect(human.stdout).toMatch(/compensation rate\s+20\.0%/);
    expect(human.stdout).toContain('Computed from the store');
    expect(parseJson<Record<string, unknown>>(machine.stdout)).toMatchObject({
      source: 'store',
      workflowId: 'user-registration',
      executions: { total: 1, failed: 1 },
      successRate: 0,
      compensationRate: 1,
    });
    // --json is a MetricsSnapshot (SPEC §5), load distribution included, as GET /v1/metrics is.
    for (const r of [machine, all]) {
      const snapshot = parseJson<Record<string, unknown>>(r.stdout);
      for (const key of [
        'executions',
        'successRate',
        'avgExecutionMs',
        'p95ExecutionMs',
        'retryRate',
        'compensationRate',
        'loadDistribution',
      ]) {
        expect(snapshot, key).toHaveProperty(key);
      }
      expect(snapshot.loadDistribution).toEqual({ worker_1: 0 });
    }
  });

  it('workers reports the worker load and that no process holds executions', async () => {
    const [human, machine] = await Promise.all([
      cli(['workers', '--store', store.url]),
      cli(['workers', '--store', store.url, '--json']),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/WORKER\s+ACTIVE\s+SOURCE\nworker_1\s+0\s+configured/);
    expect(human.stdout).toContain('Balance score 1.00; balanced: every load is within 30% of the mean');
    expect(human.stdout).toContain(
      'Balance score over ACTIVE, as GET /v1/workers: 1 − m / M: m executions would have to move to even the load out, M if all sat on one worker.',
    );
    // Every run closed, which removed its node from the registry.
    expect(human.stdout).toContain('No node is registered and no process holds unfinished executions.');
    expect(parseJson<Record<string, unknown>>(machine.stdout)).toMatchObject({
      loadDistribution: { worker_1: 0 },
      workers: [{ id: 'worker_1', active: 0, configured: true, source: 'configured' }],
      balanced: true,
      threshold: 0.3,
      balanceScore: 1,
      nodes: [],
    });
  });

  it('migrate creates a new store and reports its kind', async () => {
    const fresh = tempStore();
    try {
      const r = await cli(['migrate', '--store', fresh.url]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /Store sqlite:.* is up to date: applied 3 migrations \(001, 002, 003\)\.\n\s+kind\s+sqlite\n\s+file\s+/,
      );
      expect(existsSync(fresh.file)).toBe(true);
      const again = await cli(['--json', 'migrate', '--store', fresh.url]);
      expect(parseJson<Record<string, unknown>>(again.stdout)).toMatchObject({
        kind: 'sqlite',
        durable: true,
        applied: [],
      });
      const human = await cli(['migrate', '--store', fresh.url]);
      expect(human.stdout).toMatch(/Store sqlite:.* is up to date: no migration to apply\./);
    } finally {
      fresh.remove();
    }
  });

  it('read commands do not create a store that does not exist', async () => {
    const missing = join(store.dir, 'nothing-here.sqlite');
    const r = await cli(['list', '--store', `sqlite:${missing}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: store 'sqlite:.*' does not exist yet/);
    expect(existsSync(missing)).toBe(false);
  });

  it('read commands refuse sqlite:~/…, whose ~ no shell expands, as run and migrate do', async () => {
    const r = await cli(['list', '--store', 'sqlite:~/orchestrator.sqlite']);
    expect(r.code).toBe(2);
    // Not "no file <working directory>/~/orchestrator.sqlite": the store URL is what is wrong.
    expect(r.stderr).toMatch(
      /store: Expected "sqlite:<path>", got "sqlite:~\/orchestrator.sqlite", whose ~ is not expanded/,
    );
  });
});

describe('--version and --help', () => {
  it('print the version and the help as text, or as one JSON document with --json', async () => {
    const [version, versionJson, help, helpJson, runHelpJson] = await Promise.all([
      cli(['--version']),
      cli(['--version', '--json']),
      cli(['--help']),
      cli(['--json', '--help']),
      cli(['run', '--help', '--json']),
    ]);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    expect(versionJson.code).toBe(0);
    expect(parseJson(versionJson.stdout)).toEqual({ version: version.stdout.trim() });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: orchestrator /);
    for (const [r, usage] of [
      [helpJson, /^Usage: orchestrator \[options\] \[command\]/],
      [runHelpJson, /^Usage: orchestrator run \[options\] <definition>/],
    ] as const) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(parseJson<{ help: string }>(r.stdout).help).toMatch(usage);
    }
    expect(parseJson<{ help: string }>(helpJson.stdout).help).toBe(help.stdout);
  });

  it('states an option default once', async () => {
    const [list, cancel] = await Promise.all([cli(['list', '--help']), cli(['cancel', '--help'])]);
    expect(list.stdout.match(/\(default: 20\)/g)).toHaveLength(1);
    expect(cancel.stdout.match(/\(default: 60\)/g)).toHaveLength(1);
  });

  it("`help <command>` prints that command's help and exits 0; no command at all is a usage error", async () => {
    const [helpList, helpListJson, none, noneJson] = await Promise.all([
      cli(['help', 'list']),
      cli(['--json', 'help', 'list']),
      cli([]),
      cli(['--json']),
    ]);
    expect(helpList).toMatchObject({ code: 0, stderr: '' });
    expect(helpList.stdout).toMatch(/^Usage: orchestrator list /);
    expect(helpListJson).toMatchObject({ code: 0, stderr: '' });
    expect(parseJson<{ help: string }>(helpListJson.stdout).help).toBe(helpList.stdout);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: orchestrator /);
    expect(noneJson.code).toBe(2);
    expect(parseJson(noneJson.stdout)).toEqual({
      error: { code: 'USAGE', message: 'a command is required (see orchestrator --help)' },
    });
  });
});

describe.concurrent('usage errors (exit 2)', () => {
  it('an invalid definition: every problem with its path', async () => {
    const r = await cli(['run', 'test/e2e/fixtures/cli-bad-definition.json', '--store', store.url]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: test\/e2e\/fixtures\/cli-bad-definition\.json: invalid workflow definition 'broken': /,
    );
    expect(r.stderr).toContain('steps[0].timeout:');
    expect(r.stderr).toContain("steps[1].then: unknown step 'nope'");
    expect(r.stderr).toContain("steps[2].name: duplicate step name 'a'");
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a missing definition file', async () => {
    const r = await cli(['run', 'nope.json', '--store', store.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: definition file 'nope.json' not found\n");
  });

  it('bad --input JSON', async () => {
    const r = await run('examples/voice-transcription.json', '{oops');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --input is not valid JSON: .+\n$/);
  });

  it('shows control characters of what was typed as escapes in the error line', async () => {
    const [option, id] = await Promise.all([
      cli(['--x\u001b[31m']),
      cli(['status', 'x\u001b[2K\rerror: fake', '--store', store.url]),
    ]);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe("error: unknown option '--x\\u001b[31m'\n");
    expect(id.code).toBe(1);
    expect(id.stderr).toMatch(/^error: execution 'x\\u001b\[2K\\rerror: fake' not found/);
    expect(id.stderr).not.toContain('\u001b');
  });

  it('an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command 'frobnicate'/);
  });

  it('actions without handlers', async () => {
    const r = await cli(['run', 'examples/user-registration.json', '--store', store.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: no handler for action 'validate_input' \(steps\[0\]\), .*pass --handlers <module>/,
    );
  });

  it('a bad option value and a malformed store URL', async () => {
    const [limit, url] = await Promise.all([
      cli(['list', '--limit', '0', '--store', store.url]),
      cli(['list', '--store', 'mysql://x']),
    ]);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain("option '--limit <n>' argument '0' is invalid");
    expect(url.code).toBe(2);
    expect(url.stderr).toBe(
      'error: --store must be "sqlite:<path>", "memory" or "postgres://...", got "mysql://x"\n',
    );
  });

  it('a --status that is no execution state, rather than an empty list', async () => {
    const r = await cli(['list', '--status', 'done', '--store', store.url]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: option '--status <state>' argument 'done' is invalid. Expected one of pending, running, compensating, completed, failed, cancelled.\n",
    );
  });

  it('--json errors also print an error object on stdout', async () => {
    const r = await cli(['--json', 'run', 'nope.json', '--store', store.url]);
    expect(r.code).toBe(2);
    expect(parseJson<Record<string, unknown>>(r.stdout)).toEqual({
      error: { code: 'USAGE', message: "definition file 'nope.json' not found" },
    });
  });
});
