/**
 * A definition written in another form but meaning the same (keys in another order, a default
 * that is the same whatever the config written out or left out, white space between the tokens of
 * an expression) is the version already stored, not a new one; one that means something else, even
 * only under another config, or another text inside a string literal, is a new version.
 * Checked on the memory store and on a SQLite file, against versions stored by an earlier process.
 */
import { describe, expect, it } from 'vitest';
import type { StepDefinition, WorkflowOptions } from '../../src/index.js';
import { STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

type Form = { steps: StepDefinition[]; options?: WorkflowOptions };

/** Pairs of forms that mean the same: the second defined after the first keeps its version. */
const SAME: [string, Form, Form][] = [
  [
    'keys in another order',
    { steps: [{ name: 'a', timeout: 1, retry: { maxAttempts: 2, maxDelay: 3 } }], options: { timeout: 9 } },
    { steps: [{ retry: { maxDelay: 3, maxAttempts: 2 }, name: 'a', timeout: 1 }], options: { timeout: 9 } },
  ],
  ['`action` the step name', { steps: [{ name: 'a' }] }, { steps: [{ name: 'a', action: 'a' }] }],
  ['`retry: false`', { steps: [{ name: 'a' }] }, { steps: [{ name: 'a', retry: false }] }],
  ['`retry: {}`', { steps: [{ name: 'a', retry: true }] }, { steps: [{ name: 'a', retry: {} }] }],
  [
    'the fixed retry defaults written out',
    { steps: [{ name: 'a', retry: true }] },
    { steps: [{ name: 'a', retry: { backoffCoefficient: 2, nonRetryable: [] } }] },
  ],
  [
    '`initialDelay: 1` beside a `maxDelay`',
    { steps: [{ name: 'a', retry: { maxDelay: 4 } }] },
    { steps: [{ name: 'a', retry: { maxDelay: 4, initialDelay: 1 } }] },
  ],
  [
    'the defaults of a parallel branch',
    { steps: [{ name: 'p', parallel: [{ name: 'b', retry: true }] }] },
    { steps: [{ name: 'p', parallel: [{ retry: { backoffCoefficient: 2 }, action: 'b', name: 'b' }] }] },
  ],
  ['empty options', { steps: [{ name: 'a' }] }, { steps: [{ name: 'a' }], options: {} }],
  [
    'white space between the tokens of an expression',
    {
      steps: [
        { name: 'a', input: 'input' },
        { name: 'b', input: "{'text': steps.a.output, 'n': 1}" },
      ],
    },
    {
      steps: [
        { name: 'a', input: ' input ' },
        { name: 'b', input: "{ 'text' : steps.a.output,\n  'n': 1 }" },
      ],
    },
  ],
  [
    'white space between the tokens of a condition and a branch input',
    {
      steps: [
        { name: 'c', condition: 'input.x>1' },
        { name: 'p', parallel: [{ name: 'b', input: 'input.x+1' }] },
      ],
    },
    {
      steps: [
        { name: 'c', condition: 'input.x > 1' },
        { name: 'p', parallel: [{ name: 'b', input: 'input.x + 1' }] },
      ],
    },
  ],
];

/** Pairs that differ in meaning (some only under another config): the second is a new version. */
const DIFFERENT: [string, Form, Form][] = [
  ['an action other than the name', { steps: [{ name: 'a' }] }, { steps: [{ name: 'a', action: 'b' }] }],
  ['`retry: true`', { steps: [{ name: 'a' }] }, { steps: [{ name: 'a', retry: true }] }],
  // Without maxDelay, an initialDelay given raises the cap to it when retryDelay is below 1 s.
  [
    '`initialDelay: 1` without a `maxDelay`',
    { steps: [{ name: 'a', retry: true }] },
    { steps: [{ name: 'a', retry: { initialDelay: 1 } }] },
  ],
  // The config's retryAttempts, retryDelay and workflowTimeout can change between runs.
  [
    '`maxAttempts` the config default',
    { steps: [{ name: 'a', retry: true }] },
    { steps: [{ name: 'a', retry: { maxAttempts: 3 } }] },
  ],
  [
    '`maxDelay` the config default',
    { steps: [{ name: 'a', retry: true }] },
    { steps: [{ name: 'a', retry: { maxDelay: 5 } }] },
  ],
  [
    'the workflow timeout the config default',
    { steps: [{ name: 'a' }] },
    { steps: [{ name: 'a' }], options: { timeout: 300 } },
  ],
  [
    'another backoffCoefficient',
    { steps: [{ name: 'a', retry: true }] },
    { steps: [{ name: 'a', retry: { backoffCoefficient: 3 } }] },
  ],
  [
    'a nonRetryable list',
    { steps: [{ name: 'a', retry: true }] },
    { steps: [{ name: 'a', retry: { nonRetryable: ['TypeError'] } }] },
  ],
  [
    'an empty description',
    { steps: [{ name: 'a' }] },
    { steps: [{ name: 'a' }], options: { description: '' } },
  ],
  [
    'another expression',
    { steps: [{ name: 'a', input: 'input' }] },
    { steps: [{ name: 'a', input: 'input.x' }] },
  ],
  [
    'white space inside a string literal of an expression',
    { steps: [{ name: 'a', input: "{'text': 'a b'}" }] },
    { steps: [{ name: 'a', input: "{'text': 'a  b'}" }] },
  ],
  [
    'white space inside a string literal of a branch condition',
    { steps: [{ name: 'c', condition: "input.s == 'a b'" }, { name: 'a' }] },
    { steps: [{ name: 'c', condition: "input.s == 'ab'" }, { name: 'a' }] },
  ],
];

describe.each(STORE_KINDS)('redefining a workflow in another form (%s store)', (kind) => {
  it.each(SAME)('keeps the stored version: %s (either form first)', async (_label, first, second) => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const engine = orch.workflowEngine;
    for (const [id, [a, b]] of [
      ['ab', [first, second]],
      ['ba', [second, first]],
    ] as const) {
      const v1 = await engine.defineWorkflow(id, a.steps, a.options);
      const again = await engine.defineWorkflow(id, b.steps, b.options);
      expect(again.version).toBe(1);
      // The stored version, as it was first written.
      expect(again.steps).toEqual(v1.steps);
      expect(engine.listWorkflowVersions(id)).toHaveLength(1);
    }
  });

  it.each(DIFFERENT)('creates the next version: %s', async (_label, first, second) => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', first.steps, first.options);
    expect((await engine.defineWorkflow('w', second.steps, second.options)).version).toBe(2);
    expect((await engine.defineWorkflow('w', first.steps, first.options)).version).toBe(3);
  });
});

describe('a version stored by an earlier process on a SQLite file', () => {
  it('is the one a later process gets for the same definition in another form', async () => {
    const store = storeUrl('sqlite');
    const earlier = await withOrchestrator({ store });
    const written: StepDefinition[] = [
      { name: 'a', action: 'a', retry: { backoffCoefficient: 2, nonRetryable: [], maxAttempts: 2 } },
      { name: 'p', parallel: [{ name: 'b', retry: false }] },
    ];
    await earlier.workflowEngine.defineWorkflow('w', written, { timeout: 9 });
    await earlier.close();

    const later = await withOrchestrator({ store });
    const again = await later.workflowEngine.defineWorkflow(
      'w',
      [
        { retry: { maxAttempts: 2 }, name: 'a' },
        { parallel: [{ name: 'b' }], name: 'p' },
      ],
      { timeout: 9.0 },
    );
    expect(again.version).toBe(1);
    expect(again.steps).toEqual(written);
    const changed = await later.workflowEngine.defineWorkflow('w', [
      { name: 'a', retry: { maxAttempts: 3 } },
    ]);
    expect(changed.version).toBe(2);
  });
});
