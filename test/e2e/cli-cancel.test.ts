/**
 * The CLI with live processes: `cancel` of an execution a running `run` owns, `cancel` of an
 * orphan left by a killed process (taken over, compensated), and Ctrl-C, after which the
 * execution stays in the store and the next `run` resumes it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, type ExecutionStatus } from '../../src/index.js';
import { gate, untilAborted } from '../helpers/orchestrator.js';
import { cli, HANDLERS, parseJson, startCli, tempStore } from './fixtures/cli-harness.js';

const stores: { remove(): void }[] = [];
afterAll(() => {
  for (const s of stores) s.remove();
});

function newStore() {
  const s = tempStore();
  stores.push(s);
  return s;
}

/** Registration with slow services: create_user ≈ 0.6 s × latency, send_email ≈ 1.5 s × latency. */
const slowRegistration = (latency: number) =>
  JSON.stringify({ email: 'grace@example.com', name: 'Grace', latency });

function startRegistration(url: string, latency: number) {
  return startCli([
    'run',
    'examples/user-registration.json',
    '--handlers',
    HANDLERS,
    '--store',
    url,
    '--input',
    slowRegistration(latency),
  ]);
}

async function statusOf(url: string, id: string): Promise<ExecutionStatus> {
  const r = await cli(['--json', 'status', id, '--store', url]);
  expect(r.code).toBe(0);
  return parseJson<ExecutionStatus>(r.stdout);
}

describe('orchestrator cancel', () => {
  it('asks the live owner to cancel and waits until it has (compensating completed steps)', async () => {
    const store = newStore();
    // send_email takes 150 ms × 50 = 7.5 s: time for the cancel process to start and reach the
    // owner on a loaded machine (at × 20, its 3 s ran out under CI and helpers: already completed).
    const running = startRegistration(store.url, 50);
    const id = (await running.waitFor(/Execution (exec_\w+)/))[1]!;
    await running.waitFor(/send_email\s+started/);

    const cancelled = await cli(['cancel', id, '--store', store.url]);
    expect(cancelled.code, `cancel said:\n${cancelled.stdout}\n${cancelled.stderr}`).toBe(0);
    expect(cancelled.stdout).toMatch(/Cancel requested; waiting for its owner .+ to apply it/);
    expect(cancelled.stdout).toMatch(new RegExp(`execution ${id} cancelled after`));
    expect(cancelled.stdout).toContain('compensated: create_user');

    const owner = await running.exited;
    expect(owner.code).toBe(1);
    expect(owner.stdout).toMatch(/saga\s+CANCELLED: compensating 1 step in reverse order: create_user/);
    expect(owner.stdout).toMatch(/execution\s+cancelled after/);
    expect((await statusOf(store.url, id)).status).toBe('cancelled');
  });

  it('of an execution already compensating for a cancel, waits for it to end cancelled (not "failing")', async () => {
    const store = newStore();
    const inUndo = gate();
    const release = gate();
    const held = gate();
    const owner = await createOrchestrator({
      store: store.url,
      actions: {
        a: () => 'a',
        hold: (_input, ctx) => {
          held.open();
          return untilAborted(ctx.signal);
        },
      },
      compensations: {
        undo: async () => {
          inUndo.open();
          await release.promise;
        },
      },
    });
    try {
      await owner.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: 'undo' }, { name: 'hold' }]);
      const id = await owner.workflowEngine.executeWorkflow('w');
      await held.promise;
      // The first cancel (this one, or an earlier `orchestrator cancel` that stopped waiting).
      const first = owner.workflowEngine.cancelWorkflow(id);
      await inUndo.promise;

      const again = startCli(['cancel', id, '--store', store.url, '--timeout', '20']);
      await again.waitFor(/waiting for its owner/);
      release.open();
      const r = await again.exited;
      expect(r.stderr).not.toContain('failing');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`execution ${id} cancelled after`));
      expect(r.stdout).toContain('compensated: a');
      expect(await first).toBe(true);
    } finally {
      await owner.close();
    }
  });

  it('takes over an orphan of a killed process, needing its compensation handlers', async () => {
    const store = newStore();
    const running = startRegistration(store.url, 20);
    const id = (await running.waitFor(/Execution (exec_\w+)/))[1]!;
    await running.waitFor(/send_email\s+started/);
    running.child.kill('SIGKILL');
    await running.exited;

    const workers = await cli(['workers', '--store', store.url, '--json']);
    const report = parseJson<{ nodes: { state: string; executions: number }[] }>(workers.stdout);
    expect(report.nodes).toEqual([expect.objectContaining({ state: 'dead', executions: 1 })]);

    const refused = await cli(['cancel', id, '--store', store.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "needs the compensation handlers 'delete_user', 'destroy_session' to be cancelled here",
    );

    const taken = await cli(['cancel', id, '--store', store.url, '--handlers', HANDLERS]);
    expect(taken.code).toBe(0);
    expect(taken.stdout).toContain(`No live process owns ${id}; cancelling it here`);
    expect(taken.stdout).toContain('compensated: create_user');
    expect(taken.stderr).toMatch(/undo create_user: deleting user usr_\w+/);
    const status = await statusOf(store.url, id);
    expect(status).toMatchObject({ status: 'cancelled', compensatedSteps: ['create_user'] });
    expect(status.steps.find((s) => s.name === 'create_session')?.attempts).toBe(0);

    const again = await cli(['--json', 'cancel', id, '--store', store.url]);
    expect(again.code).toBe(1);
    expect(parseJson<Record<string, unknown>>(again.stdout)).toMatchObject({ id, cancelled: false });
    expect(again.stderr).toContain('is already cancelled; nothing to cancel');
    // Six CLI processes one after another: more than vitest's 30 s default on a loaded machine.
  }, 120_000);
});

describe('orchestrator cancel of an orphan without --handlers', () => {
  it('refuses at once when the workflow names compensations, even if no completed step has one', async () => {
    const store = newStore();
    const running = startCli([
      'run',
      'examples/voice-transcription.json',
      '--handlers',
      HANDLERS,
      '--store',
      store.url,
      '--input',
      JSON.stringify({ audioUrl: 'https://example.com/a.wav', userId: 1, latency: 30 }),
    ]);
    const id = (await running.waitFor(/Execution (exec_\w+)/))[1]!;
    await running.waitFor(/process_llm\s+started/);
    running.child.kill('SIGKILL');
    await running.exited;

    // The engine takes over a cancel-requested execution only with every compensation its
    // workflow names; without them it used to park the execution and wait out --timeout (an
    // hour here: the test's own timeout fails a command that waits, and a wait that ran out
    // would exit 1, not 2).
    const refused = await cli(['cancel', id, '--store', store.url, '--timeout', '3600']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "needs the compensation handlers 'delete_audio', 'delete_result' to be cancelled here",
    );
    expect((await statusOf(store.url, id)).status).toBe('running');

    const taken = await cli(['cancel', id, '--store', store.url, '--handlers', HANDLERS]);
    expect(taken.code).toBe(0);
    expect((await statusOf(store.url, id)).status).toBe('cancelled');
  }, 120_000);
});

describe('Ctrl-C', () => {
  it('closes with exit 130, keeps the execution, and the next run resumes it', async () => {
    const store = newStore();
    const running = startRegistration(store.url, 6);
    const id = (await running.waitFor(/Execution (exec_\w+)/))[1]!;
    await running.waitFor(/create_user\s+started/);
    running.child.kill('SIGINT');
    const stopped = await running.exited;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(new RegExp(`interrupted: closing\\. Execution ${id} stays in the store`));
    expect(['pending', 'running']).toContain((await statusOf(store.url, id)).status);

    const next = await cli([
      'run',
      'examples/user-registration.json',
      '--handlers',
      HANDLERS,
      '--store',
      store.url,
      '--input',
      JSON.stringify({ email: 'alan@example.com', name: 'Alan', fast: true }),
    ]);
    expect(next.code).toBe(0);
    expect(next.stdout).toContain('Resuming 1 unfinished execution found in the store');
    expect(next.stdout).toMatch(new RegExp(`resumed\\s+execution ${id} \\(user-registration\\) completed`));
    expect((await statusOf(store.url, id)).status).toBe('completed');
  });
});

describe('run --timeout', () => {
  it('stops waiting, prints the current status and leaves the execution in the store (exit 1)', async () => {
    const store = newStore();
    const r = await cli([
      '--json',
      'run',
      'examples/user-registration.json',
      '--handlers',
      HANDLERS,
      '--store',
      store.url,
      '--input',
      slowRegistration(10),
      '--timeout',
      '0.2',
    ]);
    expect(r.code).toBe(1);
    const status = parseJson<ExecutionStatus>(r.stdout);
    expect(['pending', 'running']).toContain(status.status);
    expect(r.stderr).toContain(
      `error: execution ${status.id} did not finish within 0.2s; it stays in the store`,
    );
  });

  it('on the memory store says the execution ends with the process instead of promising a resume', async () => {
    const r = await cli([
      'run',
      'examples/user-registration.json',
      '--handlers',
      HANDLERS,
      '--store',
      'memory',
      '--input',
      slowRegistration(10),
      '--timeout',
      '0.2',
    ]);
    expect(r.code).toBe(1);
    const id = /Execution (exec_\w+)/.exec(r.stdout)?.[1];
    expect(r.stderr).toContain(
      `error: execution ${id} did not finish within 0.2s; the memory store keeps nothing, so it ends with this process`,
    );
    expect(r.stderr).not.toContain('resumes');
  });
});

describe('Ctrl-C on the memory store', () => {
  it('says the execution ends with the process (exit 130)', async () => {
    const running = startRegistration('memory', 6);
    const id = (await running.waitFor(/Execution (exec_\w+)/))[1]!;
    await running.waitFor(/create_user\s+started/);
    running.child.kill('SIGINT');
    const stopped = await running.exited;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(
      `interrupted: closing. The memory store keeps nothing: execution ${id} ends with this process.`,
    );
    expect(stopped.stderr).not.toContain('resume');
  });
});
