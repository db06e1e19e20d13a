/**
 * The package root's exports carry TSDoc (DESIGN §3.9): every export of `src/index.ts`, and every
 * public member an exported class declares in `src/`, has a doc comment of its own.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function undocumented(): string[] {
  const program = ts.createProgram([INDEX], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(INDEX);
  const module = index && checker.getSymbolAtLocation(index);
  if (!module) throw new Error('src/index.ts not found');
  const hasDoc = (symbol: ts.Symbol) =>
    ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim().length > 0;
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!hasDoc(symbol)) missing.push(exported.name);
    if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
    for (const member of checker.getDeclaredTypeOfSymbol(symbol).getProperties()) {
      const decl = member.declarations?.[0];
      // Inherited from the standard library (Error's message, stack, ...): documented there.
      if (!decl?.getSourceFile().fileName.startsWith(SRC)) continue;
      const flags = ts.getCombinedModifierFlags(decl);
      if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      const name = (decl as ts.NamedDeclaration).name;
      if (name && ts.isPrivateIdentifier(name)) continue;
      if (!hasDoc(member)) missing.push(`${exported.name}.${member.name}`);
    }
  }
  return missing;
}

describe('public API docs', () => {
  it('documents every export of the package root and every public member of its classes', () => {
    expect(undocumented()).toEqual([]);
  }, 60_000);
});
