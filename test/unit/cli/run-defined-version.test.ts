/**
 * `orchestrator run` defines a workflow, then starts its latest version. On a durable store
 * another process may define a newer version in between; when the definitions this process knows
 * are then due for a re-read (the define's read is a `sweepInterval` old: a slow save, a clock
 * stepped back), the run starts that newer version, not the one it printed as defined. It says
 * so: a warning naming both versions. In process, with the orchestrator's clock moved on a
 * `sweepInterval` right after the run defined version 1, and another orchestrator on the same
 * SQLite file defining version 2 at that moment.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../../src/cli/commands/run.js';
import { addGlobalOptions } from '../../../src/cli/globals.js';
import { type Clock, systemClock } from '../../../src/clock.js';
import { createOrchestrator, type OrchestratorOptions } from '../../../src/index.js';
import { tempDir, tempSqliteUrl, withOrchestrator } from '../../helpers/orchestrator.js';

const hooks = vi.hoisted(() => ({
  /** Runs after the CLI's `defineWorkflow` resolved, before `run` goes on. */
  afterDefine: null as null | (() => Promise<void>),
  clock: null as null | object,
  /** Milliseconds the run's clock is ahead of the system clock. */
  ahead: 0,
}));

vi.mock('../../../src/orchestrator.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/orchestrator.js')>();
  return {
    ...actual,
    createOrchestrator: async (options: OrchestratorOptions) => {
      const orch = await actual.createOrchestrator({
        ...options,
        ...(hooks.clock ? { clock: hooks.clock as Clock } : {}),
      });
      const define = orch.workflowEngine.defineWorkflow.bind(orch.workflowEngine);
      orch.workflowEngine.defineWorkflow = async (...args) => {
        const defined = await define(...args);
        await hooks.afterDefine?.();
        return defined;
      };
      return orch;
    },
  };
});

afterEach(() => {
  hooks.afterDefine = null;
  hooks.clock = null;
  hooks.ahead = 0;
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs `orchestrator --store <url> run <file>` in process; returns what it wrote. */
async function runCli(url: string, file: string): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const program = addGlobalOptions(new Command('orchestrator').exitOverride());
  register(program);
  try {
    await program.parseAsync(['--store', url, 'run', file], { from: 'user' });
  } finally {
    vi.mocked(process.stdout.write).mockRestore();
    vi.mocked(process.stderr.write).mockRestore();
  }
  return { stdout, stderr };
}

describe('orchestrator run when another process defines a newer version meanwhile', () => {
  it('warns that the execution runs that version, not the one it defined', async () => {
    const url = tempSqliteUrl();
    const file = join(tempDir(), 'w.json');
    writeFileSync(file, JSON.stringify({ id: 'w', steps: [{ name: 'a', action: 'noop' }] }));
    // The system clock, which the test moves on at once.
    const clock: Clock = { ...systemClock, now: () => Date.now() + hooks.ahead };
    hooks.clock = clock;
    hooks.afterDefine = async () => {
      // Once (the other orchestrator is made by the same, mocked, createOrchestrator).
      hooks.afterDefine = null;
      hooks.clock = null;
      const other = await createOrchestrator({ store: url });
      await other.workflowEngine.defineWorkflow('w', [
        { name: 'a', action: 'noop' },
        { name: 'b', action: 'noop' },
      ]);
      await other.close();
      // The define's read of the versions is now due again (its save took a sweepInterval).
      hooks.ahead += 1_000;
    };

    const { stdout, stderr } = await runCli(url, file);
    expect(stdout).toContain('Workflow w v1');
    const check = await withOrchestrator({ store: url });
    const [execution] = await check.workflowEngine.listExecutions();
    expect(execution?.workflowVersion).toBe(2);
    expect(stderr).toContain(
      'warning: the execution runs workflow w v2, not v1 defined above: another process defined v2 meanwhile',
    );
    expect(process.exitCode).toBe(0);
  });

  it('says nothing more when it starts the version it defined', async () => {
    const url = tempSqliteUrl();
    const file = join(tempDir(), 'w.json');
    writeFileSync(file, JSON.stringify({ id: 'w', steps: [{ name: 'a', action: 'noop' }] }));
    const { stdout, stderr } = await runCli(url, file);
    expect(stdout).toContain('Workflow w v1');
    expect(stderr).not.toContain('warning');
    expect(process.exitCode).toBe(0);
  });
});
