// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * `schema/workflow-definition.schema.json`, the JSON Schema editors check definition files
 * against: it is what `scripts/workflow-schema.ts` builds from the zod schema (so it cannot drift
 * from it), it ships, it accepts every valid definition the repository holds, and it refuses what
 * the orchestrator refuses for its shape. What the orchestrator checks across a definition (names,
 * jumps, expressions, `maxDelay` against `initialDelay`) the schema accepts, as its description says.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_FILE, workflowDefinitionFileSchema } from '../../../scripts/workflow-schema.js';
import { readDefinitionFile } from '../../../src/cli/definition-file.js';
import { ValidationError } from '../../../src/errors.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const committed = JSON.parse(readFileSync(join(ROOT, SCHEMA_FILE), 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true }).compile(committed);

const dir = mkdtempSync(join(tmpdir(), 'definition-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ValidationError the CLI's reader of definition files gives for `definition`, or null. */
function engineProblem(definition: unknown): ValidationError | null {
  const file = join(dir, 'definition.json');
  writeFileSync(file, JSON.stringify(definition));
  try {
    readDefinitionFile(file);
    return null;
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
}

/** The JSON definition files under `folder` (relative to the repository). */
function definitionFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder))
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(folder, name));
}

const step = (fields: Record<string, unknown>) => ({ id: 'w', steps: [{ name: 'a', ...fields }] });
const retry = (policy: unknown) => step({ retry: policy });

describe('the definition file schema', () => {
  it('is what the zod schema of definitions builds (run `npm run schema` after changing it)', () => {
    expect(committed).toEqual(workflowDefinitionFileSchema());
  });

  it('is draft-07, ships with the package, and says what it leaves to the orchestrator', () => {
    expect(committed.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      files: string[];
      exports: Record<string, unknown>;
    };
    expect(pkg.files).toContain(SCHEMA_FILE.split('/')[0]);
    // A tool may also resolve it: `orchestrator/schema/workflow-definition.schema.json`.
    expect(pkg.exports[`./${SCHEMA_FILE}`]).toBe(`./${SCHEMA_FILE}`);
    expect(committed.description).toMatch(
      /duplicate step names.*`then`\/`else`.*CEL expressions.*`maxDelay`/,
    );
  });

  const valid = [
    ...definitionFiles('examples'),
    ...definitionFiles('test/e2e/fixtures').filter((file) => !file.endsWith('cli-bad-definition.json')),
  ];

  it.each(valid)('accepts %s, which the orchestrator accepts', (file) => {
    const definition = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
    expect(engineProblem(definition)).toBeNull();
    const accepted = validate(definition);
    expect(accepted ? [] : validate.errors).toEqual([]);
  });

  it('is what the examples name as their "$schema"', () => {
    for (const file of definitionFiles('examples')) {
      const definition = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
      expect(join('examples', definition.$schema), file).toBe(SCHEMA_FILE);
    }
  });

  it('refuses the invalid fixture the CLI tests use (a negative timeout)', () => {
    const definition = JSON.parse(
      readFileSync(join(ROOT, 'test/e2e/fixtures/cli-bad-definition.json'), 'utf8'),
    );
    expect(validate(definition)).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({ instancePath: '/steps/0/timeout' }));
  });

  const refused: [string, unknown][] = [
    ['an unknown top-level key', { id: 'w', steps: [{ name: 'a' }], retyr: true }],
    ['an unknown step key', step({ retyr: true })],
    ['no id', { steps: [{ name: 'a' }] }],
    ['no steps', { id: 'w' }],
    ['no step at all', { id: 'w', steps: [] }],
    [
      'more than 1,000 steps',
      { id: 'w', steps: Array.from({ length: 1001 }, (_, i) => ({ name: `s${i}` })) },
    ],
    ['an id that is a number', { id: 42, steps: [{ name: 'a' }] }],
    ['the id ..', { id: '..', steps: [{ name: 'a' }] }],
    ['the id .', { id: '.', steps: [{ name: 'a' }] }],
    ['a step named __proto__', { id: 'w', steps: [{ name: '__proto__' }] }],
    ['a name with a space', { id: 'w', steps: [{ name: 'a b' }] }],
    ['an empty name', { id: 'w', steps: [{ name: '' }] }],
    ['a name of 129 characters', { id: 'w', steps: [{ name: 'x'.repeat(129) }] }],
    ['a step that is a string', { id: 'w', steps: ['a'] }],
    ['a step without a name', { id: 'w', steps: [{ action: 'noop' }] }],
    ['a negative timeout', step({ timeout: -1 })],
    ['a timeout of 0', step({ timeout: 0 })],
    ['a timeout past 1e9 seconds', step({ timeout: 1e9 + 1 })],
    ['a timeout given as text', step({ timeout: '5' })],
    ['retry as text', retry('yes')],
    ['a fractional maxAttempts', retry({ maxAttempts: 1.5 })],
    ['a negative maxAttempts', retry({ maxAttempts: -1 })],
    ['a backoffCoefficient below 1', retry({ backoffCoefficient: 0.5 })],
    ['a negative initialDelay', retry({ initialDelay: -1 })],
    ['nonRetryable as text', retry({ nonRetryable: 'TypeError' })],
    ['an empty nonRetryable entry', retry({ nonRetryable: [''] })],
    ['an unknown retry key', retry({ maxAttempt: 3 })],
    ['an input given as a JSON value', step({ input: { seconds: 1 } })],
    ['an empty input', step({ input: '' })],
    ['an input of 4,097 characters', step({ input: `'${'x'.repeat(4095)}'` })],
    ['a condition given as a JSON value', { id: 'w', steps: [{ name: 'c', condition: true }] }],
    [
      'a conditional step with an action',
      { id: 'w', steps: [{ name: 'c', condition: 'true', action: 'noop' }] },
    ],
    ['a conditional step with a timeout', { id: 'w', steps: [{ name: 'c', condition: 'true', timeout: 1 }] }],
    ['a step both conditional and parallel', step({ condition: 'true', parallel: [{ name: 'b' }] })],
    ['a parallel step without branches', step({ parallel: [] })],
    ['a parallel branch that is conditional', step({ parallel: [{ name: 'b', condition: 'true' }] })],
    ['a parallel step with a retry', step({ parallel: [{ name: 'b' }], retry: true })],
    ['an unknown option', { id: 'w', steps: [{ name: 'a' }], options: { timout: 5 } }],
    ['a negative workflow timeout', { id: 'w', steps: [{ name: 'a' }], options: { timeout: -5 } }],
    ['a description that is a number', { id: 'w', steps: [{ name: 'a' }], options: { description: 1 } }],
  ];

  it.each(refused)('refuses %s, as the orchestrator does', (_, definition) => {
    expect(engineProblem(definition)).toBeInstanceOf(ValidationError);
    expect(validate(definition)).toBe(false);
  });

  // On purpose: these are checked across the definition, or are CEL, which a JSON Schema cannot read.
  const leftToTheOrchestrator: [string, unknown][] = [
    ['a duplicate step name', { id: 'w', steps: [{ name: 'a' }, { name: 'a' }] }],
    ['a jump to no step', { id: 'w', steps: [{ name: 'c', condition: 'true', then: 'nope' }] }],
    [
      'a jump into a parallel branch',
      {
        id: 'w',
        steps: [
          { name: 'c', condition: 'true', then: 'b' },
          { name: 'p', parallel: [{ name: 'b' }] },
        ],
      },
    ],
    ['an expression that does not compile', step({ input: 'input.' })],
    ['an expression reading a step the workflow lacks', step({ input: 'steps.typo.output' })],
    ['a condition that is not CEL', { id: 'w', steps: [{ name: 'c', condition: 'result >' }] }],
    ['a maxDelay below the initialDelay', retry({ initialDelay: 5, maxDelay: 1 })],
  ];

  it.each(leftToTheOrchestrator)('accepts %s, which only the orchestrator refuses', (_, definition) => {
    expect(engineProblem(definition)).toBeInstanceOf(ValidationError);
    expect(validate(definition)).toBe(true);
  });
});
