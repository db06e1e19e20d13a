import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHandlersCover, loadHandlers } from '../../../src/cli/handlers-module.js';

const dir = mkdtempSync(join(tmpdir(), 'orch-cli-handlers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function module(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

describe('loadHandlers', () => {
  it('names what a module threw at import when it is not an Error', async () => {
    const name = module('throws.mjs', "throw 'DATABASE_URL is not set';");
    await expect(loadHandlers(name, dir)).rejects.toThrow(/: DATABASE_URL is not set$/);
  });

  it('loads named exports, relative to the given directory', async () => {
    const name = module(
      'ok.mjs',
      'export const actions = { a: () => 1 }; export const compensations = { u: () => {} };',
    );
    const handlers = await loadHandlers(name, dir);
    expect(Object.keys(handlers.actions)).toEqual(['a']);
    expect(Object.keys(handlers.compensations)).toEqual(['u']);
  });

  it('accepts a default export with the same keys, and only one of them', async () => {
    const name = module('default.mjs', 'export default { actions: { a: () => 1 } };');
    expect(await loadHandlers(name, dir)).toMatchObject({ compensations: {} });
  });

  it('names what a module exports when it exports neither object (a typo: `action`)', async () => {
    const typo = module('typo.mjs', 'export const action = { a: () => 1 }; export const compensation = {};');
    await expect(loadHandlers(typo, dir)).rejects.toThrow(
      "handlers module 'typo.mjs' exports neither `actions` nor `compensations` (it exports action, compensation)",
    );
    const inDefault = module('typo-default.mjs', 'export default { handlers: {} };');
    await expect(loadHandlers(inDefault, dir)).rejects.toThrow(
      "handlers module 'typo-default.mjs' exports neither `actions` nor `compensations` (it exports default, whose keys are handlers)",
    );
    const none = module('none-at-all.mjs', 'const actions = { a: () => 1 };');
    await expect(loadHandlers(none, dir)).rejects.toThrow(
      "handlers module 'none-at-all.mjs' exports neither `actions` nor `compensations` (it exports nothing)",
    );
  });

  it('says how to load a TypeScript module Node cannot import', async () => {
    // Under vitest a .ts file imports fine; this one throws what plain Node throws for it.
    const name = module(
      'handlers.ts',
      "const e = new TypeError('Unknown file extension \".ts\"'); (e as any).code = 'ERR_UNKNOWN_FILE_EXTENSION'; throw e;",
    );
    await expect(loadHandlers(name, dir)).rejects.toThrow(
      /Unknown file extension "\.ts".*compile it to JavaScript first \(the examples: `npm run build`, then --handlers dist\/examples\/handlers\.js\)/,
    );
  });

  it('rejects missing files, broken modules, wrong shapes and non-functions', async () => {
    await expect(loadHandlers('none.mjs', dir)).rejects.toThrow("handlers module 'none.mjs' not found");
    await expect(loadHandlers(module('broken.mjs', 'export const = ;'), dir)).rejects.toThrow(
      /cannot load handlers module 'broken\.mjs'/,
    );
    await expect(loadHandlers(module('empty.mjs', 'export const x = 1;'), dir)).rejects.toThrow(
      'exports neither `actions` nor `compensations`',
    );
    await expect(loadHandlers(module('array.mjs', 'export const actions = [];'), dir)).rejects.toThrow(
      '`actions` must be an object',
    );
    await expect(loadHandlers(module('value.mjs', 'export const actions = { a: 1 };'), dir)).rejects.toThrow(
      'actions.a is not a function',
    );
  });
});

describe('checkHandlersCover', () => {
  it('does not take names of Object.prototype members for handlers', () => {
    const none = { actions: {}, compensations: {} };
    expect(() => checkHandlersCover([{ name: 'constructor' }], none, 'pass --handlers')).toThrow(
      /action 'constructor'/,
    );
    expect(() =>
      checkHandlersCover([{ name: 'noop', compensation: 'toString' }], none, 'pass --handlers'),
    ).toThrow(/compensation 'toString'/);
  });

  it('accepts built-in actions and lists every missing handler', () => {
    const handlers = { actions: { a: () => 1 }, compensations: {} };
    expect(() =>
      checkHandlersCover([{ name: 'a' }, { name: 'wait', action: 'delay' }], handlers, 'hint'),
    ).not.toThrow();
    expect(() =>
      checkHandlersCover(
        [{ name: 'a', compensation: 'undo' }, { name: 'b' }],
        handlers,
        'pass --handlers <module>',
      ),
    ).toThrow(
      "no handler for action 'b' (steps[1]), compensation 'undo' (steps[0]); pass --handlers <module>",
    );
  });

  it('names the handler a misspelt action or compensation most likely meant, built-in ones included', () => {
    const handlers = { actions: { validate: () => 1 }, compensations: { refund: () => 1 } };
    expect(() =>
      checkHandlersCover(
        [
          { name: 'a', action: 'valdate', compensation: 'refnd' },
          { name: 'b', action: 'dleay' },
        ],
        handlers,
        'hint',
      ),
    ).toThrow(
      "no handler for action 'valdate' (steps[0]; did you mean 'validate'?), action 'dleay' (steps[1]; did you mean 'delay'?), compensation 'refnd' (steps[0]; did you mean 'refund'?); hint",
    );
  });
});
