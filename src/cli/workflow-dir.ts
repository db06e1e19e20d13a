/**
 * Reads the `--workflows <dir>` folder of `serve`: every `*.json` definition in it, in name
 * order, each validated. Two files defining the same workflow id are refused: defining both
 * would quietly make one a new version of the other, chosen by file name.
 * @module
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readDefinitionFile, type ValidDefinition } from './definition-file.js';
import { UsageError } from './errors.js';

/**
 * The definitions of a folder, in file name order.
 * @throws UsageError if the folder cannot be read or two files define the same id (naming both);
 *   the errors of {@link readDefinitionFile} for a bad file.
 */
export function readWorkflowDir(dir: string): ValidDefinition[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`workflows folder '${dir}' not found`);
    if (code === 'ENOTDIR') {
      throw new UsageError(
        `workflows folder '${dir}' is a file, not a folder (name the folder that holds it)`,
      );
    }
    throw new UsageError(`cannot read workflows folder '${dir}': ${(error as Error).message}`);
  }
  names.sort();
  const definitions = names.map((name) => readDefinitionFile(join(dir, name)));
  const fileOf = new Map<string, string>();
  const clashes: string[] = [];
  definitions.forEach((def, i) => {
    const name = names[i] ?? '';
    const first = fileOf.get(def.id);
    if (first === undefined) fileOf.set(def.id, name);
    else clashes.push(`workflow '${def.id}' is defined by both ${first} and ${name}`);
  });
  if (clashes.length > 0) {
    throw new UsageError(`workflows folder '${dir}': ${clashes.join('; ')} (one file per workflow id)`);
  }
  return definitions;
}
