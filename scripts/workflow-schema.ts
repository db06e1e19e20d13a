/**
 * The JSON Schema (draft-07, which editors such as VS Code read in full) of a workflow definition
 * file, `schema/workflow-definition.schema.json`: generated from the zod schema of definitions
 * (`src/definition/schema.ts`), with a title and description on every key for editor hovers and the
 * names zod refuses by a refinement (`__proto__`; `.` and `..` as an id) written as JSON Schema.
 *
 * It checks shapes only. What the engine checks across the definition (unique step names, jump
 * targets, CEL expressions, `maxDelay` not below `initialDelay`) it accepts; the root description
 * says so. `npm run schema` writes the file, and a test fails when it differs from what this builds.
 * @module
 */
import { z } from 'zod';
import { NAME_PATTERN, workflowDefinitionSchema } from '../src/definition/schema.js';

/** Where the schema is written, relative to the repository (and the installed package). */
export const SCHEMA_FILE = 'schema/workflow-definition.schema.json';

type Node = Record<string, unknown>;

/** What the schema leaves to the engine, said in the root description and in the test. */
const NOT_CHECKED =
  'This schema checks the shape of a definition only. When the workflow is defined, the orchestrator ' +
  'also refuses duplicate step names (branches included), a `then`/`else` naming no top-level step, ' +
  'CEL expressions that do not compile or read a step the workflow lacks, and a retry `maxDelay` below ' +
  'its `initialDelay`: this schema accepts those.';

const NAME_RULE = '`[A-Za-z0-9_.-]+`, 1 to 128 characters';

/** The description of each key, by the kind of object that holds it. */
const KEYS: Record<string, Record<string, string>> = {
  definition: {
    $schema:
      'The JSON Schema an editor checks this file against; ignored by the orchestrator (`serve`, `run`, `POST /v1/workflows`).',
    id: `The workflow id: ${NAME_RULE}, other than \`.\` and \`..\` (a path segment of the HTTP API, which URLs drop as dot segments).`,
    steps:
      'The steps, run in order (a conditional step may jump): 1 to 1,000, each an action step, a conditional step (`condition`) or a parallel step (`parallel`).',
    options: 'Workflow options.',
  },
  options: {
    timeout:
      'Seconds from acceptance to a terminal state; past it the execution fails with `WORKFLOW_TIMEOUT` and compensates. Default: the config (`workflowTimeout`, 300).',
    description: 'What the workflow does, for people (at most 10,000 characters).',
  },
  action: {
    name: `Unique in the workflow (branches included): ${NAME_RULE}. Expressions read a name that is not a CEL identifier (\`call-api\`) as \`steps['call-api']\`.`,
    action: `Handler name (${NAME_RULE}); default: the step's name.`,
    timeout:
      "Seconds one attempt may take; the handler's `signal` aborts and the attempt fails with `STEP_TIMEOUT`.",
    retry:
      '`true` (the defaults from the config), `false` (no retry) or a retry policy. Delay n = min(initialDelay × backoffCoefficient^(n−1), maxDelay).',
    compensation: 'Compensation handler run if the execution later fails, times out or is cancelled.',
    input:
      "A CEL expression for the step's input, in a string (`\"{'text': steps.transcribe.output.text}\"`); default: the workflow input. The expression is checked when the workflow is defined, not by this schema.",
  },
  condition: {
    name: `Unique in the workflow (branches included): ${NAME_RULE}.`,
    condition:
      "A CEL expression, in a string, giving a boolean: over `result` (the previous step's output; null in the first step), `input` and `steps.<name>.output`. Checked when the workflow is defined, not by this schema.",
    // biome-ignore lint/suspicious/noThenProperty: the conditional step's key is named `then`.
    then: 'The top-level step to jump to when the condition holds; left out: the next step.',
    else: 'The top-level step to jump to when the condition does not hold; left out: the next step.',
  },
  parallel: {
    name: `Unique in the workflow (branches included): ${NAME_RULE}.`,
    timeout:
      'Seconds the whole step may take: past it the running branches are cancelled and the step fails with `STEP_TIMEOUT`.',
    compensation:
      "Compensation handler run with the step's keyed output, before its branches' compensations.",
    parallel:
      'The branches (action steps, 1 to 1,000) that run concurrently; the output is keyed by branch name. A failing branch cancels the others.',
  },
  retry: {
    maxAttempts: 'Retries after the first run (`3` allows 4 runs); default: the config (`retryAttempts`).',
    initialDelay: 'Seconds before the first retry; default 1.',
    backoffCoefficient: 'Each delay is the one before times this (1 to 1000); default 2.',
    maxDelay:
      'Cap, in seconds, on one delay; default: the config (`retryDelay`). Below `initialDelay` it is refused when the workflow is defined (not by this schema).',
    nonRetryable:
      "Error codes or names (`'CARD_DECLINED'`, `'TypeError'`; each at most 1,024 characters) that fail the step at once.",
  },
};

const TITLES: Record<string, string> = {
  definition: 'Orchestrator workflow definition',
  options: 'Workflow options',
  action: 'Action step',
  condition: 'Conditional step',
  parallel: 'Parallel step',
  retry: 'Retry policy',
};

/** The kind of an object schema, read from its keys; a kind this builder does not know throws. */
function kindOf(properties: Node): string {
  if ('steps' in properties) return 'definition';
  if ('parallel' in properties) return 'parallel';
  if ('condition' in properties) return 'condition';
  if ('input' in properties) return 'action';
  if ('maxAttempts' in properties) return 'retry';
  if ('description' in properties) return 'options';
  throw new Error(`workflow-schema: an object with keys ${Object.keys(properties).join(', ')} has no kind`);
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Adds titles, descriptions and the refused names to `node` and everything under it. */
function annotate(node: Node): void {
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) value.filter(isNode).forEach(annotate);
    else if (isNode(value)) annotate(value);
  }
  if (node.pattern === NAME_PATTERN.source) node.not = { const: '__proto__' };
  if (node.type !== 'object' || !isNode(node.properties)) return;
  const kind = kindOf(node.properties);
  const keys = KEYS[kind] ?? {};
  const described: Node = { title: TITLES[kind] };
  if (kind === 'definition') described.description = NOT_CHECKED;
  for (const [key, schema] of Object.entries(node.properties)) {
    const description = keys[key];
    if (description === undefined)
      throw new Error(`workflow-schema: ${kind} key '${key}' has no description`);
    if (isNode(schema)) putFirst(schema, { description });
  }
  putFirst(node, described);
}

/** Writes `head` into `node` ahead of its other keys (titles and descriptions first read well). */
function putFirst(node: Node, head: Node): void {
  const rest = { ...node };
  for (const key of Object.keys(node)) delete node[key];
  Object.assign(node, head, rest);
}

/** The JSON Schema of a definition file, as `schema/workflow-definition.schema.json` holds it. */
export function workflowDefinitionFileSchema(): Node {
  const schema = z.toJSONSchema(workflowDefinitionSchema, { target: 'draft-07' }) as Node;
  const properties = schema.properties as Node;
  // A definition file may name its schema; the orchestrator reads it as it reads no other key.
  schema.properties = { $schema: { type: 'string' }, ...properties };
  annotate(schema);
  // `.` and `..` cannot be an id (see `workflowIdSchema`), besides what no name may be.
  (properties.id as Node).not = { enum: ['__proto__', '.', '..'] };
  putFirst(schema, { $schema: schema.$schema });
  return schema;
}
