/**
 * A definition file or an `--input` that is not JSON is named with where the problem is (line and
 * column), as the API names it in a request body: the engine's message ("Unexpected token 'x',
 * "...x..." is not valid JSON") gives no position for an unexpected character, which in a
 * definition file of a hundred lines leaves the user searching for it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDefinitionFile } from '../../../src/cli/definition-file.js';
import { UsageError } from '../../../src/cli/errors.js';
import { parseJsonOption } from '../../../src/cli/parse.js';

const dir = mkdtempSync(join(tmpdir(), 'orch-json-place-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JSON the CLI reads, refused', () => {
  it('names the line and column of an unexpected character in a definition file', () => {
    const path = join(dir, 'typo.json');
    writeFileSync(path, '{\n  "id": "w",\n  "steps": [\n    { "name": x }\n  ]\n}\n');
    expect(() => readDefinitionFile(path)).toThrow(
      new UsageError(
        `definition file '${path}' is not valid JSON: unexpected character "x" at line 4, column 15`,
      ),
    );
  });

  it('names the place in --input, and where the value ends for one cut short', () => {
    expect(() => parseJsonOption('--input', '{"name": Jo}', {})).toThrow(
      new UsageError('--input is not valid JSON: unexpected character "J" at line 1, column 10'),
    );
    expect(() => parseJsonOption('--input', '{"name": "Jo', {})).toThrow(
      new UsageError(
        '--input is not valid JSON: unterminated string at line 1, column 13 (where the value ends)',
      ),
    );
  });

  it('counts a column in characters as they show, and a CRLF or a lone CR as one line break', () => {
    // '😀' is two UTF-16 units and '👍🏽' four, 'é' written as e + a combining accent two units: each is one column.
    expect(() => parseJsonOption('--input', '{"a": "😀👍🏽e\u0301", "b": x}', {})).toThrow(
      new UsageError('--input is not valid JSON: unexpected character "x" at line 1, column 19'),
    );
    expect(() => parseJsonOption('--input', '{\r\n"a": 1,\r"b": x}', {})).toThrow(
      new UsageError('--input is not valid JSON: unexpected character "x" at line 3, column 6'),
    );
  });
});
