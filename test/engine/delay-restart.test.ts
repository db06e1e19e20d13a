/**
 * A `delay` whose process stops in the middle of its wait goes on with that wait after the
 * restart, as the same attempt: a durable timer, as a retry's backoff is, not an attempt cut short
 * — no `INTERRUPTED` attempt, no interruption counted (nor excused at a clean shutdown), no new
 * attempt (its `step.started` is announced again, with the same attempt, by the process that resumes
 * it); it ends at its stored time. A backoff stopped the same way counted none, while
 * the delay counted one per restart (and showed one more attempt each time).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type Orchestrator } from '../../src/index.js';
import { anyStoreUrl } from '../helpers/all-stores.js';
import { drivingFor, finishWithClock, nextEvent, withOrchestrator } from '../helpers/orchestrator.js';

// The two durable stores: a restarted process opens them again (a memory store lives in one process).
describe.each(['sqlite', 'postgres'] as const)(
  'a delay whose process stopped during its wait (%s store)',
  (kind) => {
    const drive = drivingFor(kind);
    it('goes on as the same attempt, with no interruption, and ends at its stored time', async () => {
      const store = await anyStoreUrl(kind);
      const clock = new FakeClock();
      const t0 = clock.now();
      // Per process: its step.started and step.completed.
      const events: [string, string, number, number | undefined][][] = [];
      const open = () => {
        const seen: (typeof events)[number] = [];
        events.push(seen);
        return withOrchestrator({
          store,
          clock,
          on: {
            'step.started': (e) => seen.push(['started', e.step, e.attempt, e.interruptions]),
            'step.completed': (e) => seen.push(['completed', e.step, e.attempt, undefined]),
          },
        });
      };
      let orch: Orchestrator = await open();
      await orch.workflowEngine.defineWorkflow('w', [
        { name: 'wait', action: 'delay', input: "{'seconds': 10}" },
        { name: 'after', action: 'noop' },
      ]);
      const waiting = nextEvent(orch, 'step.started');
      const id = await orch.workflowEngine.executeWorkflow('w');
      // Its wait under way (on PostgreSQL its start is still being written as executeWorkflow ends).
      await waiting;
      // Two restarts during the wait, 3 s and 6 s into it.
      for (const at of [3000, 6000]) {
        await clock.advance(t0 + at - clock.now());
        await orch.close();
        orch = await open();
      }
      const status = await finishWithClock(orch, clock, id, drive);
      expect(status.status).toBe('completed');
      const step = status.steps[0]!;
      expect(step).toMatchObject({ status: 'completed', attempts: 1, durationMs: 10_000 });
      expect(step.history).toEqual([
        { attempt: 1, startedAt: new Date(t0), completedAt: new Date(t0 + 10_000), durationMs: 10_000 },
      ]);
      const stored = (await orch.store.getExecution(id))!.steps.find((s) => s.name === 'wait')!;
      expect({ interruptions: stored.interruptions, excused: stored.excused }).toEqual({
        interruptions: undefined,
        excused: undefined,
      });
      // Its attempt goes on in each process, announced there again (as a resumed parallel step's),
      // so that the step.completed a process announces closes a start it announced.
      expect(events).toEqual([
        [['started', 'wait', 1, undefined]],
        [['started', 'wait', 1, undefined]],
        [
          ['started', 'wait', 1, undefined],
          ['completed', 'wait', 1, undefined],
          ['started', 'after', 1, undefined],
          ['completed', 'after', 1, undefined],
        ],
      ]);
    });

    it('is cancelled at the cancel, its attempt ended then (not cut short when its process stopped)', async () => {
      const store = await anyStoreUrl(kind);
      const clock = new FakeClock();
      const t0 = clock.now();
      let orch: Orchestrator = await withOrchestrator({ store, clock });
      await orch.workflowEngine.defineWorkflow('w', [
        { name: 'wait', action: 'delay', input: "{'seconds': 10}" },
      ]);
      const waiting = nextEvent(orch, 'step.started');
      const id = await orch.workflowEngine.executeWorkflow('w');
      await waiting;
      await clock.advance(3000);
      await orch.close();
      const seen: string[] = [];
      orch = await withOrchestrator({
        store,
        clock,
        on: {
          'step.started': (e) => seen.push(`started ${e.attempt}`),
          'step.cancelled': (e) => seen.push(`cancelled ${e.attempt}`),
        },
      });
      await clock.advance(2000);
      expect(await orch.workflowEngine.cancelWorkflow(id)).toBe(true);
      // The process that resumed it announced the start of the attempt it ended.
      expect(seen).toEqual(['started 1', 'cancelled 1']);
      const step = (await orch.workflowEngine.getExecutionStatus(id))!.steps[0]!;
      expect(step).toMatchObject({ status: 'cancelled', attempts: 1, durationMs: 5000 });
      expect(step.history?.map((a) => [a.attempt, a.error?.code, a.completedAt?.getTime()])).toEqual([
        [1, 'CANCELLED', t0 + 5000],
      ]);
    });
  },
);

describe.each(['sqlite', 'postgres'] as const)(
  'a delay with its own timeout, resumed after its process stopped (%s store)',
  (kind) => {
    const drive = drivingFor(kind);
    /** A `delay` of `seconds` with `timeout`, its process closed 3 s into the wait and reopened at `reopenAt`. */
    async function resumed(seconds: number, timeout: number, reopenAt: number) {
      const store = await anyStoreUrl(kind);
      const clock = new FakeClock();
      const t0 = clock.now();
      let orch: Orchestrator = await withOrchestrator({ store, clock });
      await orch.workflowEngine.defineWorkflow('w', [
        { name: 'wait', action: 'delay', input: `{'seconds': ${seconds}}`, timeout },
      ]);
      const waiting = nextEvent(orch, 'step.started');
      const id = await orch.workflowEngine.executeWorkflow('w');
      await waiting;
      await clock.advance(3000);
      await orch.close();
      await clock.advance(t0 + reopenAt - clock.now());
      orch = await withOrchestrator({ store, clock });
      const status = await finishWithClock(orch, clock, id, drive);
      return { t0, status, step: status.steps[0]! };
    }

    it('times out at its attempt’s deadline, not a whole timeout after the resume', async () => {
      const { t0, status, step } = await resumed(10, 5, 4000);
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'wait' });
      expect(step).toMatchObject({ status: 'failed', attempts: 1, durationMs: 5000 });
      expect(step.completedAt).toEqual(new Date(t0 + 5000));
    });

    it('times out at once when its deadline passed while no process ran it', async () => {
      const { t0, status, step } = await resumed(10, 5, 7000);
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'wait' });
      expect(step).toMatchObject({ status: 'failed', attempts: 1 });
      expect(step.completedAt).toEqual(new Date(t0 + 7000));
    });

    it('completes when its delay ended before its deadline, both passed while no process ran it', async () => {
      const { status, step } = await resumed(10, 12, 15_000);
      expect(status.status).toBe('completed');
      expect(step).toMatchObject({ status: 'completed', attempts: 1 });
    });
  },
);
