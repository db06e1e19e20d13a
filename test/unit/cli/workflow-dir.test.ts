import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.js';
import { readWorkflowDir } from '../../../src/cli/workflow-dir.js';

const root = mkdtempSync(join(tmpdir(), 'orch-cli-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: Record<string, unknown>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, body] of Object.entries(files)) {
    writeFileSync(join(dir, file), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return dir;
}

describe('readWorkflowDir', () => {
  it('reads every *.json definition in file name order and skips other files', () => {
    const dir = folder('ok', {
      'b.json': { id: 'second', steps: [{ name: 'x' }] },
      'a.json': { id: 'first', steps: [{ name: 'y' }] },
      'notes.txt': 'not a definition',
    });
    expect(readWorkflowDir(dir).map((d) => d.id)).toEqual(['first', 'second']);
  });

  it('refuses two files defining the same id, naming both files of each clash', () => {
    const dir = folder('dup', {
      'a.json': { id: 'same', steps: [{ name: 'x' }] },
      'b.json': { id: 'other', steps: [{ name: 'x' }] },
      'c.json': { id: 'same', steps: [{ name: 'x' }, { name: 'y' }] },
      'd.json': { id: 'other', steps: [{ name: 'x' }] },
    });
    expect(() => readWorkflowDir(dir)).toThrow(
      new UsageError(
        `workflows folder '${dir}': workflow 'same' is defined by both a.json and c.json; workflow 'other' is defined by both b.json and d.json (one file per workflow id)`,
      ),
    );
  });

  it('reports a missing folder', () => {
    expect(() => readWorkflowDir(join(root, 'none'))).toThrow(
      new UsageError(`workflows folder '${join(root, 'none')}' not found`),
    );
  });
});

describe('readWorkflowDir of a path that is no folder', () => {
  it('says that the path is a file, not only that it cannot be read', () => {
    const file = join(root, 'single.json');
    writeFileSync(file, JSON.stringify({ id: 'one', steps: [{ name: 'x' }] }));
    expect(() => readWorkflowDir(file)).toThrow(
      new UsageError(`workflows folder '${file}' is a file, not a folder (name the folder that holds it)`),
    );
  });
});
