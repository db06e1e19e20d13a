/**
 * End to end over real sockets: the HTTP API listening on a free port, a TypeScript remote
 * worker in this process, and a second remote worker in its own process that is killed with
 * SIGKILL while it holds a task. Its lease runs out, the step fails with WORKER_LOST, the retry
 * goes to the surviving worker with the same idempotency key, and the workflow completes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { eventually, startServer, TOKEN } from './server.js';

const CHILD = join(import.meta.dirname, 'worker-child.ts');

interface ChildLine {
  event: string;
  [key: string]: unknown;
}

function spawnWorker(url: string): { child: ChildProcess; lines: ChildLine[]; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, TOKEN], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: ChildLine[] = [];
  let out = '';
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk;
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('{')) lines.push(JSON.parse(line) as ChildLine);
      nl = buffer.indexOf('\n');
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  return { child, lines, output: () => out };
}

describe('remote workers end to end', () => {
  it('retries the task of a SIGKILLed worker process on the surviving worker; the workflow completes', async () => {
    const server = await startServer({ hub: { leaseSeconds: 1, pollSeconds: 1 } });
    const engine = server.orch.workflowEngine;

    // The doomed worker registers first (that installs the `stt` proxy), then takes the task.
    const doomed = spawnWorker(server.url);
    const registered = await eventually(
      () => doomed.lines.find((l) => l.event === 'registered'),
      `the child to register (output: ${doomed.output()})`,
      20_000,
    );
    await engine.defineWorkflow('voice', [
      { name: 'stt', retry: { maxAttempts: 3, initialDelay: 0.1 }, timeout: 30 },
      { name: 'llm', input: "{'text': steps.stt.output.text}" },
    ]);
    const id = await engine.executeWorkflow('voice', { audio: 'hello.wav' });
    const held = await eventually(
      () => doomed.lines.find((l) => l.event === 'holding'),
      'the child to take the task',
      10_000,
    );
    expect(held.attempt).toBe(1);
    expect(held.key).toBe(`${id}:stt`);

    // The survivor runs in this process and serves both actions.
    const seen: { action: string; attempt: number; key: string }[] = [];
    const survivor = createRemoteWorker({
      url: server.url,
      token: TOKEN,
      name: 'survivor',
      concurrency: 2,
      actions: {
        stt: (input, ctx) => {
          seen.push({ action: 'stt', attempt: ctx.attempt, key: ctx.idempotencyKey });
          return { text: `transcript of ${(input as { audio: string }).audio}` };
        },
        llm: (input, ctx) => {
          seen.push({ action: 'llm', attempt: ctx.attempt, key: ctx.idempotencyKey });
          return { answer: `reply to ${(input as { text: string }).text}` };
        },
      },
    });
    onTestFinished(() => survivor.stop());
    await survivor.start();
    expect(
      server.hub
        .snapshot()
        .workers.map((w) => w.name)
        .sort(),
    ).toEqual(['child', 'survivor']);

    doomed.child.kill('SIGKILL');
    const status = await engine.waitForCompletion(id, { timeout: 20 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({
      stt: { text: 'transcript of hello.wav' },
      llm: { answer: 'reply to transcript of hello.wav' },
    });
    const stt = status.steps.find((s) => s.name === 'stt');
    expect(stt?.history?.map((h) => h.error?.code)).toEqual(['WORKER_LOST', undefined]);
    expect(seen).toEqual([
      { action: 'stt', attempt: 2, key: `${id}:stt` },
      { action: 'llm', attempt: 1, key: `${id}:llm` },
    ]);
    // The dead process's registration expired with its lease.
    await eventually(
      () => !server.hub.snapshot().workers.some((w) => w.id === registered.workerId),
      'the dead worker to be dropped',
    );
    expect(server.hub.snapshot().workers.map((w) => w.name)).toEqual(['survivor']);

    await survivor.stop();
    expect(server.hub.snapshot().workers).toEqual([]);
  });
});
