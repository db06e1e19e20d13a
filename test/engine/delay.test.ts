/**
 * Built-in actions (SPEC §3): `delay` waits `input.seconds` on a durable timer; `noop`
 * returns its input; `http` calls a URL and refuses private addresses unless allowed; user
 * handlers may not reuse the built-in names.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock, ValidationError } from '../../src/index.js';
import {
  finishWithClock,
  runToEnd,
  STORE_KINDS,
  storeUrl,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('built-in actions (%s store)', (kind) => {
  it('delay waits input.seconds of (virtual) time, then returns its input', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: {
        before: () => {
          at.push(clock.now());
        },
        after: (input) => {
          at.push(clock.now());
          return input;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'before' },
      { name: 'wait', action: 'delay', input: "{'seconds': input.wait}" },
      { name: 'after', input: 'result' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w', { wait: 30 });
    await clock.advance(29_000);
    const mid = await orch.workflowEngine.getExecutionStatus(id);
    expect(mid?.steps[1]?.status).toBe('running');
    expect(at).toHaveLength(1);
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('completed');
    expect((at[1] as number) - (at[0] as number)).toBe(30_000);
    expect(status.outputData.after).toEqual({ seconds: 30 });
    expect(status.steps[1]?.durationMs).toBe(30_000);
  });

  it('delay accepts fractions of a second and zero', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store: storeUrl(kind), clock });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'short', action: 'delay', input: "{'seconds': 0.25}" },
      { name: 'none', action: 'delay', input: "{'seconds': 0}" },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'), {
      stepMs: 50,
    });
    expect(status.status).toBe('completed');
    expect(status.steps[0]?.durationMs).toBe(250);
    expect(status.steps[1]?.durationMs).toBe(0);
  });

  it('delay without a valid input.seconds fails the step without retrying', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store: storeUrl(kind), clock });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait', action: 'delay', retry: true }]);
    const status = await finishWithClock(
      orch,
      clock,
      await orch.workflowEngine.executeWorkflow('w', { secs: 1 }),
    );
    expect(status.status).toBe('failed');
    expect(status.error?.step).toBe('wait');
    expect(status.steps[0]?.attempts).toBe(1);
  });

  it('delay names the input it got when that is no object with seconds', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const cases: [string, string][] = [
      ["'abc'", 'got input "abc"'],
      ['5', 'got input 5'],
      ['null', 'got input null'],
      ["['x']", 'got input an array'],
      ["{'secs': 1}", 'got undefined'],
      ["{'seconds': -2}", 'got -2'],
      ["{'seconds': '3'}", 'got "3"'],
    ];
    for (const [input, got] of cases) {
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait', action: 'delay', input }]);
      const status = await orch.workflowEngine.waitForCompletion(
        await orch.workflowEngine.executeWorkflow('w'),
      );
      expect(status.error?.code, input).toBe('INVALID_INPUT');
      expect(status.error?.message, input).toBe(
        `The 'delay' action needs input.seconds as a non-negative number of at most 1000000000, ${got}`,
      );
    }
  });

  it('a cancelled delay stops waiting at once', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store: storeUrl(kind), clock });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'wait', action: 'delay', input: "{'seconds': 3600}" },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(1000);
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
  });

  it('refuses user handlers under the built-in names', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    for (const name of ['noop', 'delay', 'http']) {
      expect(() => orch.workflowEngine.registerAction(name, () => 1)).toThrow(ValidationError);
      expect(() => orch.workflowEngine.registerAction(name, () => 1)).toThrow(name);
      await expect(
        createOrchestrator({ store: 'memory', actions: { [name]: () => 1 } }),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    // The built-in still works after the refused registration.
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'echo', action: 'noop' }]);
    expect((await runToEnd(orch, 'w', { x: 1 })).outputData).toEqual({ echo: { x: 1 } });
  });

  it('registerAction takes effect before it returns', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'fresh' }]);
    orch.workflowEngine.registerAction('fresh', () => 'registered just now');
    expect((await runToEnd(orch, 'w')).outputData).toEqual({ fresh: 'registered just now' });
  });
});

describe('built-in http action', () => {
  let server: Server | null = null;
  afterEach(async () => {
    const s = server;
    server = null;
    if (s) await new Promise((r) => s.close(r));
  });

  async function listen(): Promise<string> {
    const s = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, path: req.url, received: body || null }));
      });
    });
    server = s;
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  it('refuses a private address unless it is allowed', async () => {
    const base = await listen();
    const orch = await withOrchestrator({ store: 'memory' });
    await orch.workflowEngine.defineWorkflow('call', [
      { name: 'fetch', action: 'http', input: `{'method': 'GET', 'url': '${base}/hello'}` },
    ]);
    const status = await runToEnd(orch, 'call');
    expect(status.status).toBe('failed');
    expect(status.error?.step).toBe('fetch');
    expect(status.error?.code).not.toBe('ACTION_NOT_FOUND');
  });

  it('calls an allowed URL with method and body and returns the response', async () => {
    const base = await listen();
    const orch = await withOrchestrator({ store: 'memory', httpAllowlist: ['127.0.0.1'] });
    await orch.workflowEngine.defineWorkflow('call', [
      {
        name: 'post',
        action: 'http',
        input: `{'method': 'POST', 'url': '${base}/items', 'body': {'n': 1}, 'timeout': 5}`,
      },
    ]);
    const status = await runToEnd(orch, 'call');
    expect(status.error).toBeUndefined();
    expect(status.status).toBe('completed');
    const out = JSON.stringify(status.outputData.post);
    expect(out).toContain('200');
    expect(out).toContain('POST');
    expect(out).toContain('/items');
  });
});
