// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
import { describe, expect, it } from 'vitest';
import { compilePlan } from '../../../src/definition/plan.js';
import { definitionJsonSchema, workflowDefinitionSchema } from '../../../src/definition/schema.js';
import { MAX_ISSUES, validateDefinition } from '../../../src/definition/validate.js';
import { type Issue, ValidationError } from '../../../src/errors.js';

/** The seed's voice-transcription workflow, more or less. */
const voice = () => [
  { name: 'download', action: 'download_audio', timeout: 30, retry: true },
  {
    name: 'stt',
    action: 'transcribe',
    timeout: 60.5,
    retry: { maxAttempts: 5, nonRetryable: ['ValidationError'] },
  },
  { name: 'check', condition: "result.status == 'success'", then: 'store', else: 'notify' },
  {
    name: 'enrich',
    parallel: [{ name: 'sentiment', input: "{'text': steps.stt.output.text}" }, { name: 'keywords' }],
    timeout: 10,
    compensation: 'undo_enrich',
  },
  { name: 'store', compensation: 'delete_result', input: "{'text': steps.stt.output.text}" },
  { name: 'notify' },
];

function issuesOf(id: unknown, steps: unknown, options?: unknown): Issue[] {
  try {
    validateDefinition(id, steps, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

const issuesOfSteps = (steps: unknown[]) => issuesOf('wf', steps);

const DEFAULTS = { retryAttempts: 3, retryDelay: 5, workflowTimeout: 300 };

describe('validateDefinition: valid input', () => {
  it('accepts the seed-like workflow and returns fresh plain data', () => {
    const steps = voice();
    const out = validateDefinition('voice_transcription', steps, { timeout: 120, description: 'STT' });
    expect(out).toEqual({
      id: 'voice_transcription',
      steps: voice(),
      options: { timeout: 120, description: 'STT' },
    });
    expect(out.steps).not.toBe(steps);
    expect(out.steps[1]).not.toBe(steps[1]);
    const retry = (out.steps[1] as { retry: { nonRetryable: readonly string[] } }).retry;
    expect(retry.nonRetryable).not.toBe(
      (steps[1] as { retry: { nonRetryable: readonly string[] } }).retry.nonRetryable,
    );
    expect(Object.getPrototypeOf(out.steps[0])).toBe(Object.prototype);
  });

  it('defaults options to {} and accepts a condition that jumps to itself', () => {
    const out = validateDefinition('loop', [
      { name: 'poll' },
      { name: 'again', condition: 'result.done == false', then: 'poll', else: 'again' },
    ]);
    expect(out.options).toEqual({});
    expect(out.steps).toHaveLength(2);
  });

  it('accepts names with every allowed character, fractional timeouts and retry: false', () => {
    const out = validateDefinition('A-z_0.9', [
      { name: 'a.B-c_9', action: 'x.y', timeout: 0.25, retry: false },
    ]);
    expect(out.steps[0]).toEqual({ name: 'a.B-c_9', action: 'x.y', timeout: 0.25, retry: false });
  });
});

describe('validateDefinition: each rule, with its path', () => {
  const cases: [string, unknown[], Issue[]][] = [
    [
      'unknown key',
      [{ name: 'a', retyr: true }],
      [{ path: 'steps[0].retyr', message: "unknown key 'retyr' (did you mean 'retry'?)" }],
    ],
    [
      'unknown key in retry options',
      [{ name: 'a', retry: { maxAttempt: 3 } }],
      [
        {
          path: 'steps[0].retry.maxAttempt',
          message: "unknown key 'maxAttempt' (did you mean 'maxAttempts'?)",
        },
      ],
    ],
    [
      'bad name characters',
      [{ name: 'has space' }],
      [
        {
          path: 'steps[0].name',
          message:
            "may contain only ASCII letters, digits, '_', '.' and '-', got \"has space\" (U+0020 at index 3)",
        },
      ],
    ],
    ['empty name', [{ name: '' }], [{ path: 'steps[0].name', message: 'must not be empty' }]],
    [
      'reserved name',
      [{ name: '__proto__' }],
      [{ path: 'steps[0].name', message: "'__proto__' is reserved" }],
    ],
    [
      'name too long',
      [{ name: 'x'.repeat(129) }],
      [{ path: 'steps[0].name', message: 'must be at most 128 characters, got 129' }],
    ],
    [
      'missing name',
      [{ action: 'x' }],
      [
        {
          path: 'steps[0].name',
          message: 'is required (a non-empty string of at most 128 characters)',
        },
      ],
    ],
    [
      'bad action',
      [{ name: 'a', action: 'rm -rf' }],
      [{ path: 'steps[0].action', message: expect.stringContaining('only ASCII letters') }],
    ],
    [
      'negative timeout',
      [{ name: 'a', timeout: -1 }],
      [{ path: 'steps[0].timeout', message: 'must be a positive number of seconds, got -1' }],
    ],
    [
      'zero timeout',
      [{ name: 'a', timeout: 0 }],
      [{ path: 'steps[0].timeout', message: 'must be a positive number of seconds, got 0' }],
    ],
    [
      'string timeout',
      [{ name: 'a', timeout: '5' }],
      [{ path: 'steps[0].timeout', message: 'must be a positive number of at most 1000000000, got "5"' }],
    ],
    [
      'retry of the wrong type',
      [{ name: 'a', retry: 'yes' }],
      [
        {
          path: 'steps[0].retry',
          message: 'must be true, false or an object of retry options, got a string',
        },
      ],
    ],
    [
      'retry limits',
      [
        {
          name: 'a',
          retry: {
            maxAttempts: 1.5,
            initialDelay: 0,
            backoffCoefficient: 0.5,
            maxDelay: -2,
            nonRetryable: [''],
          },
        },
      ],
      [
        { path: 'steps[0].retry.maxAttempts', message: 'must be a whole number, got 1.5' },
        { path: 'steps[0].retry.initialDelay', message: 'must be a positive number of seconds, got 0' },
        { path: 'steps[0].retry.backoffCoefficient', message: 'must be a number from 1 to 1000, got 0.5' },
        { path: 'steps[0].retry.maxDelay', message: 'must be a positive number of seconds, got -2' },
        { path: 'steps[0].retry.nonRetryable[0]', message: 'must not be empty' },
      ],
    ],
    [
      // Reported twice: by the schema, and again by the compiler ('Invalid expression: 5000 characters').
      'expressions past 4,096 characters, once each',
      [
        { name: 'a', input: `input.${'x'.repeat(4995)}` },
        { name: 'c', condition: `input.${'y'.repeat(4995)}` },
      ],
      [
        { path: 'steps[0].input', message: 'must be at most 4096 characters, got 5001' },
        { path: 'steps[1].condition', message: 'must be at most 4096 characters, got 5001' },
      ],
    ],
    [
      // A whole number past 2^53 - 1 was refused as 'must be a whole number'.
      'maxAttempts past the largest safe integer',
      [
        { name: 'a', retry: { maxAttempts: 2 ** 53 } },
        { name: 'b', retry: { maxAttempts: 1e300 } },
      ],
      [
        {
          path: 'steps[0].retry.maxAttempts',
          message: 'must be at most 9007199254740991, got 9007199254740992',
        },
        { path: 'steps[1].retry.maxAttempts', message: 'must be at most 9007199254740991, got 1e+300' },
      ],
    ],
    [
      'mistyped retry fields',
      [{ name: 'a', retry: { maxAttempts: 'x', nonRetryable: 'ValidationError' } }],
      [
        { path: 'steps[0].retry.maxAttempts', message: 'must be a non-negative integer, got "x"' },
        {
          path: 'steps[0].retry.nonRetryable',
          message: 'must be an array of at most 1000 entries, got "ValidationError"',
        },
      ],
    ],
    [
      'maxDelay below initialDelay',
      [{ name: 'a', retry: { initialDelay: 5, maxDelay: 1 } }],
      [{ path: 'steps[0].retry.maxDelay', message: 'must not be less than initialDelay (1 < 5)' }],
    ],
    [
      'empty compensation',
      [{ name: 'a', compensation: '' }],
      [{ path: 'steps[0].compensation', message: 'must not be empty' }],
    ],
    [
      'step that is not an object',
      [null, 'x', [1]],
      [
        { path: 'steps[0]', message: 'must be a step object, got null' },
        { path: 'steps[1]', message: 'must be a step object, got a string' },
        { path: 'steps[2]', message: 'must be a step object, got an array' },
      ],
    ],
    [
      'condition plus parallel',
      [{ name: 'a', condition: 'true', parallel: [{ name: 'b' }] }],
      [
        {
          path: 'steps[0]',
          message: "a step must be exactly one kind: 'condition' cannot be combined with 'parallel'",
        },
      ],
    ],
    [
      'condition plus action',
      [{ name: 'a', condition: 'true', action: 'x' }],
      [
        {
          path: 'steps[0]',
          message: "a step must be exactly one kind: 'condition' cannot be combined with 'action'",
        },
      ],
    ],
    [
      'parallel plus retry and input',
      [{ name: 'a', parallel: [{ name: 'b' }], retry: true, input: 'input' }],
      [
        {
          path: 'steps[0]',
          message: "a step must be exactly one kind: 'parallel' cannot be combined with 'retry', 'input'",
        },
      ],
    ],
    [
      'condition with a timeout',
      [{ name: 'a', condition: 'true', timeout: 5 }],
      [{ path: 'steps[0].timeout', message: "unknown key 'timeout'" }],
    ],
    [
      'unknown then target',
      [{ name: 'a', condition: 'true', then: 'foo' }],
      [{ path: 'steps[0].then', message: "unknown step 'foo'" }],
    ],
    [
      'jump to a branch',
      [
        { name: 'p', parallel: [{ name: 'b1' }] },
        { name: 'c', condition: 'true', else: 'b1' },
      ],
      [
        {
          path: 'steps[1].else',
          message: "step 'b1' is a branch of parallel step 'p'; a jump must target a top-level step",
        },
      ],
    ],
    [
      'duplicate names',
      [{ name: 'x' }, { name: 'y' }, { name: 'x' }],
      [{ path: 'steps[2].name', message: "duplicate step name 'x' (first at steps[0])" }],
    ],
    [
      'duplicate name across branches',
      [{ name: 'x' }, { name: 'p', parallel: [{ name: 'b' }, { name: 'x' }] }, { name: 'b' }],
      [
        { path: 'steps[1].parallel[1].name', message: "duplicate step name 'x' (first at steps[0])" },
        { path: 'steps[2].name', message: "duplicate step name 'b' (first at steps[1].parallel[0])" },
      ],
    ],
    [
      'condition and parallel branches',
      [{ name: 'p', parallel: [{ name: 'c', condition: 'true' }, { name: 'q', parallel: [] }, 5] }],
      [
        {
          path: 'steps[0].parallel[0]',
          message: 'a parallel branch must be an action step, not a condition step',
        },
        {
          path: 'steps[0].parallel[1]',
          message: 'a parallel branch must be an action step, not a parallel step',
        },
        { path: 'steps[0].parallel[2]', message: 'must be an action step object, got a number' },
      ],
    ],
    [
      'empty parallel',
      [{ name: 'p', parallel: [] }],
      [{ path: 'steps[0].parallel', message: 'must list at least one branch' }],
    ],
    [
      'branch problems',
      [{ name: 'p', parallel: [{ name: 'b', timeout: -3, colour: 'red' }] }],
      [
        { path: 'steps[0].parallel[0].timeout', message: 'must be a positive number of seconds, got -3' },
        { path: 'steps[0].parallel[0].colour', message: "unknown key 'colour'" },
      ],
    ],
    [
      'bad condition expression',
      [{ name: 'c', condition: "result.status == 'x" }],
      [
        {
          path: 'steps[0].condition',
          message: expect.stringMatching(/^Invalid expression 'result.status == 'x': /),
        },
      ],
    ],
    [
      'condition of the wrong static type',
      [{ name: 'c', condition: "'yes'" }],
      [
        {
          path: 'steps[0].condition',
          message: "Invalid condition ''yes'': it returns string, expected a boolean",
        },
      ],
    ],
    [
      'bad input expression',
      [{ name: 'a', input: '{"text": }' }],
      [{ path: 'steps[0].input', message: expect.stringContaining('Invalid expression') }],
    ],
    [
      'bad branch input expression',
      [{ name: 'p', parallel: [{ name: 'b', input: 'nope.x' }] }],
      [{ path: 'steps[0].parallel[0].input', message: expect.stringContaining('Unknown variable: nope') }],
    ],
    [
      'empty expression',
      [{ name: 'a', input: '' }],
      [{ path: 'steps[0].input', message: 'must be a non-empty CEL expression' }],
    ],
  ];

  it.each(cases)('%s', (_label, steps, expected) => {
    expect(issuesOfSteps(steps)).toEqual(expected);
  });

  it('checks the id', () => {
    expect(issuesOf('bad id!', [{ name: 'a' }])).toEqual([
      {
        path: 'id',
        message:
          "may contain only ASCII letters, digits, '_', '.' and '-', got \"bad id!\" (U+0020 at index 3)",
      },
    ]);
    expect(issuesOf('', [{ name: 'a' }])).toEqual([{ path: 'id', message: 'must not be empty' }]);
    expect(issuesOf(42, [{ name: 'a' }])).toEqual([
      { path: 'id', message: 'must be a non-empty string of at most 128 characters, got 42' },
    ]);
    expect(issuesOf('x'.repeat(129), [{ name: 'a' }])).toEqual([
      { path: 'id', message: 'must be at most 128 characters, got 129' },
    ]);
  });

  it("refuses '.' and '..' as a workflow id: HTTP clients drop them from URLs as dot segments", () => {
    // fetch('/v1/workflows/..') and even '/v1/workflows/%2E%2E' request /v1/: such a workflow
    // could be defined and listed, but never read or run over HTTP.
    for (const id of ['.', '..']) {
      expect(issuesOf(id, [{ name: 'a' }])).toEqual([
        { path: 'id', message: `'${id}' cannot be a workflow id (URLs drop it as a dot segment)` },
      ]);
    }
    for (const id of ['...', 'a..b', '.a', 'v1.'])
      expect(() => validateDefinition(id, [{ name: 'a' }])).not.toThrow();
    // A step may still be called '.', as it never appears in a URL.
    expect(() => validateDefinition('wf', [{ name: '.', action: 'noop' }])).not.toThrow();
  });

  it('checks the steps array', () => {
    expect(issuesOf('wf', [])).toEqual([{ path: 'steps', message: 'must list at least one step' }]);
    expect(issuesOf('wf', { name: 'a' })).toEqual([
      { path: 'steps', message: 'must be an array of steps, got an object' },
    ]);
    expect(issuesOf('wf', undefined)).toEqual([
      { path: 'steps', message: 'is required (an array of steps)' },
    ]);
    const huge = Array.from({ length: 1001 }, (_, i) => ({ name: `s${i}` }));
    expect(issuesOf('wf', huge)).toEqual([
      { path: 'steps', message: 'must list at most 1000 steps, got 1001' },
    ]);
    expect(validateDefinition('wf', huge.slice(0, 1000)).steps).toHaveLength(1000);
  });

  it('checks the steps in all, each parallel step counted with its branches', () => {
    const wide = (i: number, branches: number) => ({
      name: `p${i}`,
      parallel: Array.from({ length: branches }, (_, j) => ({ name: `p${i}b${j}` })),
    });
    // 10 parallel steps of 999 branches, and 1 more step: 10,001 in all.
    const over = [...Array.from({ length: 10 }, (_, i) => wide(i, 999)), { name: 'last' }];
    expect(issuesOf('wf', over)).toEqual([
      {
        path: 'steps',
        message: "must hold at most 10000 steps in all, each parallel step's branches counted, got 10001",
      },
    ]);
    expect(validateDefinition('wf', over.slice(0, 10)).steps).toHaveLength(10);
  });

  it('checks the options', () => {
    expect(issuesOf('wf', [{ name: 'a' }], { timeout: 0, colour: 1 })).toEqual([
      { path: 'options.timeout', message: 'must be a positive number of seconds, got 0' },
      { path: 'options.colour', message: "unknown key 'colour'" },
    ]);
    expect(issuesOf('wf', [{ name: 'a' }], null)).toEqual([
      { path: 'options', message: 'must be an object, got null' },
    ]);
  });
});

describe('validateDefinition: step references in expressions', () => {
  it('rejects a reference to a step the workflow does not have, naming the path', () => {
    expect(
      issuesOfSteps([
        { name: 'stt' },
        { name: 'c', condition: "steps.typo.output.status == 'ok'", then: 'stt' },
        { name: 'store', input: "{'text': steps['sttt'].output.text}" },
        { name: 'p', parallel: [{ name: 'b', input: 'has(steps.nope) && steps.stt.output.x' }] },
        { name: 'q', condition: "'gone' in steps" },
      ]),
    ).toEqual([
      { path: 'steps[1].condition', message: "unknown step 'typo'" },
      { path: 'steps[2].input', message: "unknown step 'sttt' (did you mean 'stt'?)" },
      { path: 'steps[3].parallel[0].input', message: "unknown step 'nope'" },
      { path: 'steps[4].condition', message: "unknown step 'gone'" },
    ]);
  });

  // The syntax tree holds a unary operator's operand as one node, not a list: the references
  // under `!` and unary `-` were not read, so `!has(steps.typo)` (a loop's usual exit test) passed.
  it('rejects an unknown step under ! and unary -', () => {
    expect(
      issuesOfSteps([
        { name: 'a', input: '-steps.typo1.output.n' },
        { name: 'c', condition: '!has(steps.typo2)', then: 'a' },
        { name: 'd', condition: "!!('typo3' in steps) || !(steps['typo4'].output.ok)" },
        { name: 'e', input: '[1].map(x, -steps.typo5.output)' },
      ]),
    ).toEqual([
      { path: 'steps[0].input', message: "unknown step 'typo1'" },
      { path: 'steps[1].condition', message: "unknown step 'typo2'" },
      { path: 'steps[2].condition', message: "unknown step 'typo3'" },
      { path: 'steps[2].condition', message: "unknown step 'typo4'" },
      { path: 'steps[3].input', message: "unknown step 'typo5'" },
    ]);
  });

  // Names may hold '.' and '-' and start with a digit, but `steps.<name>` takes a CEL identifier:
  // `steps.fetch.user` was refused as "unknown step 'fetch'", `steps.call-api` as "Unknown variable:
  // api", with no word of the step meant or of how to read it.
  it('says how to read a step whose name is not a CEL identifier when steps.<name> fails', () => {
    const hint = (name: string) =>
      ` (step '${name}' is not a CEL identifier, so steps.${name} does not name it: write steps['${name}'])`;
    expect(
      issuesOfSteps([
        { name: 'fetch.user' },
        { name: 'call-api' },
        { name: '1st' },
        { name: 'in' },
        { name: 'a', input: 'steps.fetch.user.output.id' },
        { name: 'b', input: 'steps.call-api.output' },
        { name: 'c', condition: 'steps.1st.output.ok' },
        { name: 'd', input: "{'x': steps.in.output}" },
        { name: 'e', input: 'steps.fetchx.output' },
      ]),
    ).toEqual([
      {
        path: 'steps[5].input',
        message: `Invalid expression 'steps.call-api.output': Unknown variable: api${hint('call-api')}`,
      },
      {
        path: 'steps[6].condition',
        message: expect.stringMatching(/^Invalid expression .*\(step '1st' is not/),
      },
      { path: 'steps[7].input', message: expect.stringMatching(/^Invalid expression .*\(step 'in' is not/) },
      // Unknown steps are reported after the expressions that do not compile.
      { path: 'steps[4].input', message: `unknown step 'fetch'${hint('fetch.user')}` },
      { path: 'steps[8].input', message: "unknown step 'fetchx'" },
    ]);
    const steps = [{ name: 'fetch.user' }, { name: 'a', input: "steps['fetch.user'].output.id" }];
    expect(validateDefinition('wf', steps).steps).toHaveLength(2);
  });

  it('accepts references to any step or branch, later ones, has() and dynamic or shadowed uses', () => {
    const steps = [
      { name: 'first', input: 'has(steps.later) ? steps.later.output : input' },
      { name: 'p', parallel: [{ name: 'b1' }, { name: 'b2', input: 'steps.first.output' }] },
      { name: 'c', condition: 'steps.b1.output.ok && steps.p.output.b2.ok', then: 'first' },
      { name: 'later', input: "steps[input.which].output + ['first' in steps ? 1 : 2]" },
      { name: 'm', input: "[{'typo': 1}].map(steps, steps.typo)" },
      { name: 'n', input: "cel.bind(steps, {'typo': 2}, steps.typo) + size(steps)" },
      { name: 'o', input: "input.steps.typo + result.steps['typo']" },
    ];
    expect(validateDefinition('wf', steps).steps).toHaveLength(7);
  });

  // A conditional step records a decision, never an output: `steps.check` is never set at run
  // time, so `steps.check.output` always failed with 'No such key: check' and has() was always false.
  it('rejects a reference to a conditional step, which never has an output', () => {
    expect(
      issuesOfSteps([
        { name: 'a' },
        { name: 'check', condition: 'has(steps.check) || result.ok', then: 'a' },
        { name: 'b', input: 'steps.check.output' },
        { name: 'p', parallel: [{ name: 'b1', input: "'check' in steps ? 1 : 2" }] },
      ]),
    ).toEqual([
      {
        path: 'steps[1].condition',
        message:
          "reads step 'check', a conditional step: it records a decision and has no output, so it is never in steps",
      },
      {
        path: 'steps[2].input',
        message:
          "reads step 'check', a conditional step: it records a decision and has no output, so it is never in steps",
      },
      {
        path: 'steps[3].parallel[0].input',
        message:
          "reads step 'check', a conditional step: it records a decision and has no output, so it is never in steps",
      },
    ]);
  });

  it('rejects a branch input that reads a branch of the same parallel step (they race)', () => {
    expect(
      issuesOfSteps([
        { name: 'a' },
        {
          name: 'p',
          parallel: [
            { name: 'b1', input: 'steps.a.output' },
            { name: 'b2', input: "has(steps.b1) ? steps.b1.output : 'none'" },
            { name: 'b3', input: "{'me': steps['b3'].output}" },
          ],
        },
        { name: 'q', parallel: [{ name: 'c1', input: 'steps.b2.output' }] },
        { name: 'after', input: 'steps.b1.output + steps.p.output.b2' },
      ]),
    ).toEqual([
      {
        path: 'steps[1].parallel[1].input',
        message:
          "reads step 'b1', a sibling branch of parallel step 'p': branches run concurrently, so its output may or may not be there yet (read it in a step after 'p')",
      },
      {
        path: 'steps[1].parallel[2].input',
        message: "reads its own output (step 'b3'), which a parallel branch never has while it runs",
      },
    ]);
  });

  it('rejects a read of a step that can never have run yet, when no condition jumps back', () => {
    expect(
      issuesOfSteps([
        { name: 'a', input: 'steps.b.output' },
        { name: 'c', condition: 'steps.b.output == 1' },
        { name: 'self', input: 'steps.self.output' },
        { name: 'p', parallel: [{ name: 'p1', input: 'steps.p.output' }] },
        { name: 'b', input: 'has(steps.later) ? steps.later.output : 0' },
        { name: 'guarded', input: "'later' in steps ? steps.later.output : steps.b.output" },
        { name: 'later' },
      ]),
    ).toEqual([
      {
        path: 'steps[0].input',
        message:
          "reads step 'b' (steps[4]), which comes after it: steps run in order and no condition jumps back, so it has never run when this is evaluated (test for it with has(steps.b) if that is meant)",
      },
      {
        path: 'steps[1].condition',
        message:
          "reads step 'b' (steps[4]), which comes after it: steps run in order and no condition jumps back, so it has never run when this is evaluated (test for it with has(steps.b) if that is meant)",
      },
      {
        path: 'steps[2].input',
        message:
          "reads its own output (step 'self'), which it never has while it runs, and no condition jumps back to run it again",
      },
      {
        path: 'steps[3].parallel[0].input',
        message:
          "reads its parallel step 'p', whose output is there only once its branches ended, and no condition jumps back to run it again",
      },
    ]);
  });

  it("accepts those reads in a loop: a jump back leaves a previous visit's output", () => {
    for (const target of ['a', 'loop']) {
      expect(() =>
        validateDefinition('wf', [
          { name: 'a', input: 'steps.b.output' },
          { name: 'b', input: 'steps.b.output' },
          { name: 'loop', condition: 'input.again', then: target },
        ]),
      ).not.toThrow();
    }
    // A jump forward only skips steps: nothing runs before what comes before it.
    expect(
      issuesOfSteps([
        { name: 'skip', condition: 'input.fast', then: 'b' },
        { name: 'a', input: 'steps.b.output' },
        { name: 'b' },
      ]).map((i) => i.path),
    ).toEqual(['steps[1].input']);
  });

  it('still resolves references outside the shadowing macro', () => {
    expect(
      issuesOfSteps([
        { name: 'a', input: "[{'x': 1}].map(steps, steps.x) + [steps.typo]" },
        { name: 'b', input: 'cel.bind(steps, steps.typo2, steps.y)' },
      ]),
    ).toEqual([
      { path: 'steps[0].input', message: "unknown step 'typo'" },
      { path: 'steps[1].input', message: "unknown step 'typo2'" },
    ]);
  });
});

describe('validateDefinition: reporting', () => {
  it('reports every problem together in one error with a context message', () => {
    let error: unknown;
    try {
      validateDefinition('voice', [
        { name: 'a', timeout: -1 },
        { name: 'a', retyr: true },
        { name: 'c', condition: 'result.ok', then: 'foo', else: 'a' },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.code).toBe('VALIDATION');
    expect(v.issues).toEqual([
      { path: 'steps[0].timeout', message: 'must be a positive number of seconds, got -1' },
      { path: 'steps[1].retyr', message: "unknown key 'retyr' (did you mean 'retry'?)" },
      { path: 'steps[1].name', message: "duplicate step name 'a' (first at steps[0])" },
      { path: 'steps[2].then', message: "unknown step 'foo'" },
    ]);
    expect(v.message).toBe(
      "Invalid workflow definition 'voice': steps[0].timeout: must be a positive number of seconds, got -1; " +
        "steps[1].retyr: unknown key 'retyr' (did you mean 'retry'?); steps[1].name: duplicate step name 'a' (first at steps[0]); " +
        "steps[2].then: unknown step 'foo'",
    );
  });

  it(`lists at most ${MAX_ISSUES} issues and counts the rest`, () => {
    const steps = Array.from({ length: 150 }, () => ({ name: 'x y' }));
    const issues = issuesOf('wf', steps);
    expect(issues).toHaveLength(MAX_ISSUES + 1);
    expect(issues.at(-1)).toEqual({ path: '', message: 'and 50 more problems' });
  });

  it('treats __proto__ keys as unknown data and pollutes nothing', () => {
    const steps = JSON.parse(
      '[{"name": "a", "__proto__": {"polluted": true}, "retry": {"__proto__": {"x": 1}}}]',
    );
    expect(issuesOf('wf', steps)).toEqual([
      { path: 'steps[0].__proto__', message: "unknown key '__proto__'" },
      { path: 'steps[0].retry.__proto__', message: "unknown key '__proto__'" },
    ]);
    const options = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(issuesOf('wf', [{ name: 'a' }], options)).toEqual([
      { path: 'options.__proto__', message: "unknown key '__proto__'" },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('survives deeply nested input with a ValidationError', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(issuesOf('wf', [{ name: 'a', retry: deep }])[0]?.path).toBe('steps[0].retry');
    expect(issuesOf('wf', deep)).toEqual([
      { path: 'steps[0]', message: 'must be a step object, got an array' },
    ]);
  });

  it('turns an unexpected failure while reading the input into a ValidationError', () => {
    const step = {};
    Object.defineProperty(step, 'name', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(issuesOf('wf', [step])).toEqual([{ path: 'steps[0].name', message: 'could not be read: boom' }]);
  });

  it('names the path of a proxy trap that throws, a circular reference and non-plain data', () => {
    const trap = new Proxy(
      { name: 'a' },
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.retry = cyclic;
    expect(issuesOf('wf', [{ name: 'a' }, trap, cyclic])).toEqual([
      { path: 'steps[1]', message: 'could not be read: no keys' },
      { path: 'steps[2].retry', message: 'contains a circular reference' },
    ]);
    expect(issuesOf('wf', [{ name: 'a', action: () => 'x', timeout: new Number(5) }, new Map()])).toEqual([
      { path: 'steps[0].action', message: 'must be JSON data, got a function' },
      { path: 'steps[0].timeout', message: 'must be plain JSON data, got a Number' },
      { path: 'steps[1]', message: 'must be plain JSON data, got a Map' },
    ]);
    const options = {
      get timeout(): number {
        throw new Error('no timeout');
      },
    };
    expect(issuesOf('wf', [{ name: 'a' }], options)).toEqual([
      { path: 'options.timeout', message: 'could not be read: no timeout' },
    ]);
  });

  // Each check read the caller's object again: a getter that answered a bad expression to the
  // schema and a good one to the compiler passed, defineWorkflow stored it and then threw an
  // ExpressionError, and every later start of that store failed compiling it.
  it('checks and returns what one read of each property gave, however often a getter changes', () => {
    const flip = (first: string, later: string) => {
      let reads = 0;
      return () => (reads++ === 0 ? first : later);
    };
    const input = flip('1 +', 'input');
    expect(
      issuesOf('wf', [
        {
          name: 'a',
          get input() {
            return input();
          },
        },
      ]),
    ).toEqual([
      {
        path: 'steps[0].input',
        message: "Invalid expression '1 +': Unexpected token: EOF at column 4 (where the expression ends)",
      },
    ]);
    const target = flip('nope', 'a');
    expect(
      issuesOf('wf', [
        {
          name: 'a',
          condition: 'true',
          get then() {
            return target();
          },
        },
      ]),
    ).toEqual([{ path: 'steps[0].then', message: "unknown step 'nope'" }]);
    const name = flip('a', 'b');
    expect(
      issuesOf('wf', [
        { name: 'a' },
        {
          get name() {
            return name();
          },
        },
      ]),
    ).toEqual([{ path: 'steps[1].name', message: "duplicate step name 'a' (first at steps[0])" }]);
    const good = flip('input', '1 +');
    const valid = validateDefinition('wf', [
      {
        name: 'a',
        get input() {
          return good();
        },
      },
    ]);
    expect(valid.steps).toEqual([{ name: 'a', input: 'input' }]);
    expect(() => compilePlan({ ...valid, version: 1 }, DEFAULTS)).not.toThrow();
  });

  it('reads a shared object once and does not read the items of a list that is too long', () => {
    let reads = 0;
    const retry = {
      get maxAttempts() {
        reads++;
        return 2;
      },
    };
    validateDefinition('wf', [
      { name: 'a', retry },
      { name: 'b', retry },
    ]);
    expect(reads).toBe(1);
    const long = new Proxy(new Array(5000).fill({ name: 'x' }), {
      get(target, key) {
        if (key !== 'length') throw new Error(`read ${String(key)}`);
        return target.length;
      },
    });
    expect(issuesOf('wf', long)).toEqual([
      { path: 'steps', message: 'must list at most 1000 steps, got 5000' },
    ]);
  });
});

describe('definition schemas', () => {
  it('accepts the same definitions as validateDefinition and rejects mixed kinds', () => {
    expect(workflowDefinitionSchema.safeParse({ id: 'v', steps: voice() }).success).toBe(true);
    const mixed = { id: 'v', steps: [{ name: 'a', condition: 'true', parallel: [{ name: 'b' }] }] };
    expect(workflowDefinitionSchema.safeParse(mixed).success).toBe(false);
    const nested = { id: 'v', steps: [{ name: 'a', parallel: [{ name: 'b', condition: 'true' }] }] };
    expect(workflowDefinitionSchema.safeParse(nested).success).toBe(false);
  });

  it('exports a JSON Schema of { id, steps, options? }', () => {
    const schema = definitionJsonSchema() as {
      type: string;
      required: string[];
      properties: Record<string, { pattern?: string; minItems?: number; maxItems?: number }>;
      additionalProperties: boolean;
    };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['id', 'steps']);
    expect(Object.keys(schema.properties)).toEqual(['id', 'steps', 'options']);
    expect(schema.properties.id?.pattern).toBe('^[A-Za-z0-9_.-]+$');
    expect(schema.properties.steps).toMatchObject({ minItems: 1, maxItems: 1000 });
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.stringify(schema)).toContain('"anyOf"');
  });
});
