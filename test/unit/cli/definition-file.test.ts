// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  actionsUsed,
  compensationNames,
  compensationsUsed,
  MAX_JSON_FILE_BYTES,
  readDefinitionFile,
  readDefinitionFileAsync,
} from '../../../src/cli/definition-file.js';
import { UsageError } from '../../../src/cli/errors.js';
import type { StepDefinition } from '../../../src/definition/types.js';
import { ValidationError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'orch-cli-def-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('readDefinitionFile', () => {
  it('reads a file that starts with a UTF-8 byte-order mark', () => {
    const path = file('bom.json', `\uFEFF${JSON.stringify({ id: 'w', steps: [{ name: 'a' }] })}`);
    expect(readDefinitionFile(path)).toEqual({ id: 'w', steps: [{ name: 'a' }], options: {} });
  });

  it('reads and validates a definition, defaulting options', () => {
    const path = file('ok.json', JSON.stringify({ id: 'w', steps: [{ name: 'a' }], $schema: 'x' }));
    expect(readDefinitionFile(path)).toEqual({ id: 'w', steps: [{ name: 'a' }], options: {} });
  });

  it('reports a missing file, a directory and bad JSON as usage errors naming the file', () => {
    expect(() => readDefinitionFile(join(dir, 'none.json'))).toThrow(
      new UsageError(`definition file '${join(dir, 'none.json')}' not found`),
    );
    expect(() => readDefinitionFile(dir)).toThrow(/is a directory/);
    const bad = file('bad.json', '{ "id": ');
    expect(() => readDefinitionFile(bad)).toThrow(new RegExp(`definition file '${bad}' is not valid JSON: `));
    const empty = file('empty.json', '');
    expect(() => readDefinitionFile(empty)).toThrow(
      new UsageError(`definition file '${empty}' is not valid JSON: it is empty`),
    );
    const blank = file('blank.json', '\n\n');
    expect(() => readDefinitionFile(blank)).toThrow(/is not valid JSON: it holds only whitespace, no value$/);
    const list = file('list.json', '[]');
    expect(() => readDefinitionFile(list)).toThrow(/must contain a JSON object/);
    // A file saved as Latin-1: its 'é' would be read as U+FFFD and the description stored so.
    const latin1 = join(dir, 'latin1.json');
    writeFileSync(
      latin1,
      Buffer.from('{"id": "w", "steps": [{"name": "a"}], "options": {"description": "Caf\u00e9"}}', 'latin1'),
    );
    expect(() => readDefinitionFile(latin1)).toThrow(
      new UsageError(`definition file '${latin1}' is not valid UTF-8 (save it as UTF-8)`),
    );
    // JSON.parse would keep the last 'id' and drop the first without a word.
    const twice = file('twice.json', '{"id": "orders", "steps": [{"name": "a"}], "id": "payments"}');
    expect(() => readDefinitionFile(twice)).toThrow(
      new UsageError(`definition file '${twice}': has the key 'id' twice (give each key once)`),
    );
    const nested = file('nested.json', '{"id": "w", "steps": [{"name": "a", "timeout": 5, "timeout": 50}]}');
    expect(() => readDefinitionFile(nested)).toThrow(
      new UsageError(
        `definition file '${nested}': steps[0] has the key 'timeout' twice (give each key once)`,
      ),
    );
    // JSON.parse would round it: the input the step got would not be the one written.
    const big = file(
      'big.json',
      '{"id": "w", "steps": [{"name": "a", "input": "{\'id\': 1}"}], "options": {"x": 12345678901234567890}}',
    );
    expect(() => readDefinitionFile(big)).toThrow(
      `definition file '${big}': options.x is 12345678901234567890, an integer a JSON number cannot hold exactly`,
    );
  });

  it('refuses a FIFO, a device, a broken symbolic link and a huge file with a usage error, without reading them', () => {
    // A FIFO or /dev/zero named *.json in a --workflows folder made serve hang at start (reading
    // forever), and a huge file was read whole into memory.
    const sub = join(dir, 'odd');
    mkdirSync(sub);
    const fifo = join(sub, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    expect(() => readDefinitionFile(fifo)).toThrow(
      new UsageError(`definition file '${fifo}' is not a regular file`),
    );
    const zero = join(sub, 'zero.json');
    symlinkSync('/dev/zero', zero);
    expect(() => readDefinitionFile(zero)).toThrow(
      new UsageError(`definition file '${zero}' is not a regular file`),
    );
    const dangling = join(sub, 'dangling.json');
    symlinkSync(join(sub, 'gone.json'), dangling);
    expect(() => readDefinitionFile(dangling)).toThrow(
      new UsageError(`definition file '${dangling}' is a symbolic link to a missing file`),
    );
    const huge = join(sub, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_JSON_FILE_BYTES + 1); // sparse: no disk used
    expect(() => readDefinitionFile(huge)).toThrow(
      new UsageError(
        `definition file '${huge}' is ${MAX_JSON_FILE_BYTES + 1} bytes, more than the limit of ${MAX_JSON_FILE_BYTES}`,
      ),
    );
  });

  it('reads a pipe the user named (run <(jq …), /dev/stdin), and stops a device at the size limit', async () => {
    const sub = join(dir, 'pipes');
    mkdirSync(sub);
    const fifo = join(sub, 'piped.json');
    execFileSync('mkfifo', [fifo]);
    // The writer waits in its own process until this one opens the FIFO to read it.
    const writer = spawn('sh', [
      '-c',
      `printf '%s' '{"id":"piped","steps":[{"name":"a"}]}' > "$1"`,
      'sh',
      fifo,
    ]);
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    expect((await readDefinitionFileAsync(fifo, { pipes: true })).id).toBe('piped');
    expect(await exited).toBe(0);
    const zero = join(sub, 'zero.json');
    symlinkSync('/dev/zero', zero);
    await expect(readDefinitionFileAsync(zero, { pipes: true })).rejects.toThrow(
      new UsageError(`definition file '${zero}' holds more than the limit of ${MAX_JSON_FILE_BYTES} bytes`),
    );
  });

  it('lists every problem with its path, unknown top-level keys included', () => {
    const path = file(
      'invalid.json',
      JSON.stringify({ id: 'w', steps: [{ name: 'a', then: 'x' }, { name: 'a' }], extra: true }),
    );
    let error: unknown;
    try {
      readDefinitionFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues.map((i) => i.path);
    expect(issues).toContain('extra');
    expect(issues).toContain('steps[1].name');
    expect((error as Error).message).toMatch(new RegExp(`^${path}: invalid workflow definition 'w': `));
  });

  it('names where an expression of the file has a syntax error, and the character', () => {
    // A zero-width space (a JSON escape here, pasted as is in most files) does not show in the echo.
    const path = file(
      'expression.json',
      '{ "id": "w", "steps": [{ "name": "c", "condition": "result.ok\\u200b== true\\n  && input.n § 2" }] }',
    );
    expect(() => readDefinitionFile(path)).toThrow(
      new ValidationError(
        [
          {
            path: 'steps[0].condition',
            message:
              "Invalid expression 'result.ok\u200b== true && input.n § 2': unexpected character U+200B (zero width space) at line 1, column 10",
          },
        ],
        `${path}: invalid workflow definition 'w'`,
      ),
    );
  });
});

describe('names a definition uses', () => {
  const steps: StepDefinition[] = [
    { name: 'a', action: 'fetch', compensation: 'undo_a' },
    { name: 'c', condition: 'true' },
    {
      name: 'p',
      parallel: [{ name: 'b1' }, { name: 'b2', action: 'fetch', compensation: 'undo_b2' }],
      compensation: 'undo_p',
    },
  ];

  it('maps actions and compensations to the first path that uses them', () => {
    expect([...actionsUsed(steps)]).toEqual([
      ['fetch', 'steps[0]'],
      ['b1', 'steps[2].parallel[0]'],
    ]);
    expect([...compensationsUsed(steps)]).toEqual([
      ['undo_a', 'steps[0]'],
      ['undo_p', 'steps[2]'],
      ['undo_b2', 'steps[2].parallel[1]'],
    ]);
    expect(Object.fromEntries(compensationNames(steps))).toEqual({ a: 'undo_a', p: 'undo_p', b2: 'undo_b2' });
  });
});
