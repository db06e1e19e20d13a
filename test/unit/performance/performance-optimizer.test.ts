import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { PerformanceOptimizer } from '../../../src/performance/performance-optimizer.js';
import { formatMs, GENERIC_SUGGESTIONS } from '../../../src/performance/suggestions.js';

const within = (got: number, exact: number, rel = 0.01) => Math.abs(got - exact) <= exact * rel + 0.001;

describe('PerformanceOptimizer execution times', () => {
  it('averages recorded executions; 0 when none', () => {
    const opt = new PerformanceOptimizer();
    expect(opt.getAvgExecutionTime('wf')).toBe(0);
    opt.recordExecution('wf', 150);
    expect(opt.getAvgExecutionTime('wf')).toBe(150);
    opt.recordExecution('wf', 250.5);
    expect(opt.getAvgExecutionTime('wf')).toBe(200.25);
    expect(opt.listWorkflows()).toEqual(['wf']);
  });

  it('reports zeros for an unknown workflow or one with only step records', () => {
    const opt = new PerformanceOptimizer();
    const zeros = { count: 0, avg: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 };
    expect(opt.getStats('none')).toEqual(zeros);
    opt.recordStep('steps_only', 'a', 5);
    expect(opt.getStats('steps_only')).toEqual(zeros);
    expect(opt.getAvgExecutionTime('steps_only')).toBe(0);
  });

  it('matches exact statistics within HDR precision', () => {
    const opt = new PerformanceOptimizer();
    const values = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 2000) + 1);
    for (const v of values) opt.recordExecution('wf', v);
    const s = opt.getStats('wf');
    expect(s.count).toBe(2000);
    expect(s.avg).toBe(1000.5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(2000);
    expect(within(s.p50, 1000)).toBe(true);
    expect(within(s.p95, 1900)).toBe(true);
    expect(within(s.p99, 1980)).toBe(true);
  });
});

describe('PerformanceOptimizer steps', () => {
  it('reports per-step count, avg, p95, max, retries and share of the time', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 10; i++) {
      opt.recordStep('wf', 'validate', 10);
      opt.recordStep('wf', 'llm_call', 80 + i * 2, { retried: i < 3, timeoutMs: 30_000 });
      opt.recordStep('wf', 'store', 5, { failed: i === 0 });
    }
    const stats = opt.getStepStats('wf');
    expect(Object.keys(stats)).toEqual(['validate', 'llm_call', 'store']);
    expect(stats.llm_call).toMatchObject({ count: 10, avg: 89, max: 98, retries: 3, failures: 0 });
    expect(within(stats.llm_call!.p95, 98)).toBe(true);
    expect(stats.store?.failures).toBe(1);
    expect(stats.validate?.share).toBeCloseTo(100 / 1040);
    expect(stats.llm_call?.share).toBeCloseTo(890 / 1040);
    const shares = Object.values(stats).reduce((sum, s) => sum + s.share, 0);
    expect(shares).toBeCloseTo(1);
    expect(opt.getStepStats('unknown')).toEqual({});
  });

  it('identifies the bottleneck from stepTimes (the seed example)', () => {
    const opt = new PerformanceOptimizer();
    expect(opt.identifyBottleneck('wf', { validate: 10, llm_call: 500, store: 15 })).toBe('llm_call');
    expect(opt.identifyBottleneck('wf', { a: 5, b: 5 })).toBe('a');
  });

  it('falls back to recorded averages when stepTimes is missing or empty; null when none', () => {
    const opt = new PerformanceOptimizer();
    expect(opt.identifyBottleneck('wf')).toBeNull();
    expect(opt.identifyBottleneck('wf', {})).toBeNull();
    opt.recordStep('wf', 'fast', 5);
    opt.recordStep('wf', 'slow', 100);
    opt.recordStep('wf', 'slow', 120);
    opt.recordStep('wf', 'fast', 300); // fast now averages 152.5, above slow's 110
    expect(opt.identifyBottleneck('wf')).toBe('fast');
    expect(opt.identifyBottleneck('wf', {})).toBe('fast');
    expect(opt.identifyBottleneck('wf', { x: Number.NaN })).toBe('fast');
    expect(opt.identifyBottleneck('wf', { only: 1 })).toBe('only');
  });

  it('passes over given times not above 0: negative ones (a clock stepped back) name no bottleneck', () => {
    const opt = new PerformanceOptimizer();
    expect(opt.identifyBottleneck('wf', { a: -50, b: -1 })).toBeNull();
    expect(opt.identifyBottleneck('wf', { a: 0, b: -1 })).toBeNull();
    expect(opt.identifyBottleneck('wf', { a: -50, b: 3, c: 0 })).toBe('b');
    opt.recordStep('wf', 'recorded', 40);
    expect(opt.identifyBottleneck('wf', { a: -50, b: -1 })).toBe('recorded');
  });
});

describe('PerformanceOptimizer suggestions', () => {
  it('suggests nothing at or under the slow threshold', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('wf', 'a', 5000);
    expect(opt.suggestOptimization('wf', 500)).toEqual([]);
    expect(opt.suggestOptimization('wf', 1000)).toEqual([]);
    expect(opt.suggestOptimization('wf', Number.NaN)).toEqual([]);
  });

  it("gives the seed's three suggestions first, verbatim, above the threshold", () => {
    const opt = new PerformanceOptimizer();
    expect(opt.suggestOptimization('wf', 1000.1)).toEqual([
      'Consider parallel execution of independent steps',
      'Review step implementations for optimization',
      'Consider caching intermediate results',
    ]);
  });

  it('honours a custom slowThreshold', () => {
    const opt = new PerformanceOptimizer({ slowThreshold: 100 });
    expect(opt.slowThreshold).toBe(100);
    expect(opt.suggestOptimization('wf', 150)).toEqual([...GENERIC_SUGGESTIONS]);
    expect(opt.suggestOptimization('wf', 100)).toEqual([]);
  });

  it('names the bottleneck step and its share of the time', () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('voice', 'validate', 20);
    opt.recordStep('voice', 'llm_call', 870);
    opt.recordStep('voice', 'store', 110);
    const out = opt.suggestOptimization('voice', 1000.5);
    expect(out.slice(0, 3)).toEqual([...GENERIC_SUGGESTIONS]);
    expect(out).toContain("Step 'llm_call' takes 87% of the workflow's step time (from 1 run only)");
    expect(out).toHaveLength(4);
  });

  it('never rounds a share another step also has to 100%, nor a share of some time to 0%', () => {
    const opt = new PerformanceOptimizer();
    // 2000 / 2003 ms of step time is 99.85%: "100%" would say the other steps took no time.
    opt.recordStep('voice', 'validate', 1);
    opt.recordStep('voice', 'llm_call', 2000);
    opt.recordStep('voice', 'store', 2);
    expect(opt.suggestOptimization('voice', 2003)).toContain(
      "Step 'llm_call' takes over 99% of the workflow's step time (from 1 run only)",
    );
    // The step with the highest mean ran once among 2,000 fast runs of another: 0.1% of the time.
    const rare = new PerformanceOptimizer();
    for (let i = 0; i < 2000; i++) rare.recordStep('wf', 'fast', 10);
    rare.recordStep('wf', 'rare', 20);
    expect(rare.identifyBottleneck('wf')).toBe('rare');
    expect(rare.suggestOptimization('wf', 5000)).toContain(
      "Step 'rare' takes under 1% of the workflow's step time (from 1 run only)",
    );
    // The only step still takes exactly 100%.
    const one = new PerformanceOptimizer();
    one.recordStep('wf', 'only', 1500);
    expect(one.suggestOptimization('wf', 1500)).toContain(
      "Step 'only' takes 100% of the workflow's step time (from 1 run only)",
    );
  });

  it("takes no branch (recorded with `parent`) as the bottleneck, and names the parallel step's slowest", () => {
    const opt = new PerformanceOptimizer();
    opt.recordStep('wf', 'a', 900, { parent: 'p' });
    opt.recordStep('wf', 'b', 300, { parent: 'p' });
    opt.recordStep('wf', 'p', 900);
    opt.recordStep('wf', 'store', 100);
    expect(opt.identifyBottleneck('wf')).toBe('p');
    expect(opt.suggestOptimization('wf', 1500)).toContain(
      "Step 'p' takes 90% of the workflow's step time (its slowest branch: 'a', 900 ms on average) (from 1 run only)",
    );
  });

  it('flags steps retried in at least 20% of their runs', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 10; i++) {
      opt.recordStep('wf', 'flaky', 10, { retried: i < 2 });
      opt.recordStep('wf', 'steady', 10, { retried: i < 1 });
    }
    const out = opt.suggestOptimization('wf', 2000);
    const retryHints = out.filter((s) => s.includes('retried often'));
    expect(retryHints).toHaveLength(1);
    expect(retryHints[0]).toContain("Step 'flaky' is retried often (needed a retry in 2 of 10 runs)");
  });

  it('flags a step whose p95 reaches 80% of its timeout', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 20; i++) {
      opt.recordStep('wf', 'near', 4200, { timeoutMs: 5000 }); // 84%
      opt.recordStep('wf', 'far', 3900, { timeoutMs: 5000 }); // 78%
      opt.recordStep('wf', 'no_timeout', 9000, { timeoutMs: null });
    }
    const out = opt.suggestOptimization('wf', 20_000);
    const timeoutHints = out.filter((s) => s.includes('of its timeout'));
    expect(timeoutHints).toEqual([
      "Step 'near' p95 (4.2 s) is 84% of its timeout (5 s): speed it up or raise the timeout",
    ]);
  });
});

describe('PerformanceOptimizer memory bounds', () => {
  it('caps tracked workflows over 1e6 samples, keeping the most recently recorded', () => {
    const opt = new PerformanceOptimizer();
    for (let i = 0; i < 1_000_000; i++) {
      const wf = `wf${Math.floor(i / 200)}`; // 5000 workflows, 200 samples each
      if (i % 2 === 0) opt.recordExecution(wf, i % 997);
      else opt.recordStep(wf, `s${i % 5}`, i % 89);
      if (i % 1000 === 0) opt.recordExecution('hot', 1);
    }
    const tracked = opt.listWorkflows();
    expect(tracked.length).toBe(1000);
    expect(tracked).toContain('hot');
    expect(tracked).toContain('wf4999');
    expect(tracked).not.toContain('wf0');
    expect(opt.getStats('wf4999').count).toBe(100);
  });

  it('caps steps per workflow, dropping the least recently recorded step', () => {
    const opt = new PerformanceOptimizer({ maxStepsPerWorkflow: 50 });
    for (let i = 0; i < 100_000; i++) {
      opt.recordStep('wf', `step${i % 1000}`, 1);
      if (i % 20 === 0) opt.recordStep('wf', 'kept', 2);
    }
    const steps = Object.keys(opt.getStepStats('wf'));
    expect(steps.length).toBe(50);
    expect(steps).toContain('kept');
  });

  it('caps step series across workflows by dropping the least recently recorded workflows', () => {
    const opt = new PerformanceOptimizer({ maxStepsPerWorkflow: 10, maxStepSeries: 25 });
    for (let w = 0; w < 10; w++) {
      for (let s = 0; s < 10; s++) opt.recordStep(`wf${w}`, `s${s}`, 1);
    }
    const total = opt.listWorkflows().reduce((sum, wf) => sum + Object.keys(opt.getStepStats(wf)).length, 0);
    expect(total).toBeLessThanOrEqual(25);
    expect(opt.listWorkflows()).toEqual(['wf8', 'wf9']);
  });

  it('forgets one workflow or all of them on reset', () => {
    const opt = new PerformanceOptimizer();
    opt.recordExecution('a', 1);
    opt.recordStep('b', 's', 1);
    opt.reset('a');
    expect(opt.listWorkflows()).toEqual(['b']);
    opt.reset();
    expect(opt.listWorkflows()).toEqual([]);
  });

  it('rejects bad options', () => {
    expect(() => new PerformanceOptimizer({ slowThreshold: -1 })).toThrow(ValidationError);
    expect(() => new PerformanceOptimizer({ maxWorkflows: 0 })).toThrow(/maxWorkflows/);
    expect(() => new PerformanceOptimizer({ maxStepsPerWorkflow: 1.5 })).toThrow(/maxStepsPerWorkflow/);
  });
});

describe('PerformanceOptimizer: bad arguments', () => {
  it('refuses ids that are not non-empty strings and an average that is not a number', () => {
    const optimizer = new PerformanceOptimizer();
    expect(() => optimizer.recordExecution(42 as never, 5)).toThrow(ValidationError);
    expect(() => optimizer.recordStep('w', '' as never, 5)).toThrow(/`step`/);
    expect(() => optimizer.suggestOptimization('w', '5000' as never)).toThrow(/`avgTimeMs`/);
    expect(optimizer.listWorkflows()).toEqual([]);
  });
});

describe('formatMs (the times in suggestions)', () => {
  it("writes a time that rounds to a second as '1 s', not '1000 ms'", () => {
    expect([850, 999.4, 999.6, 4200].map(formatMs)).toEqual(['850 ms', '999 ms', '1 s', '4.2 s']);
  });
});
