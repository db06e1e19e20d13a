/**
 * The package's types as a consumer with the strictest usual settings sees them: the files of
 * test/types/ compile against `src/index.ts` under `strict`, `noUncheckedIndexedAccess` and
 * `exactOptionalPropertyTypes` (the repo's own tsconfig leaves the last one off).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONSUMER_COMPILER_OPTIONS } from '../helpers/consumer-ts.js';

const DIR = fileURLToPath(new URL('../types/', import.meta.url));

describe('consumer type tests (test/types)', () => {
  it('compile under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(DIR, f));
    expect(files.length).toBeGreaterThan(0);
    const program = ts.createProgram(files, CONSUMER_COMPILER_OPTIONS);
    const errors = files.flatMap((f) => {
      const source = program.getSourceFile(f);
      if (!source) return [`${f}: not compiled`];
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
        (d) => {
          const line =
            d.start === undefined ? '' : `:${source.getLineAndCharacterOfPosition(d.start).line + 1}`;
          return `${f.slice(DIR.length)}${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        },
      );
    });
    expect(errors).toEqual([]);
  }, 60_000);
});
