/**
 * A name with a character outside `[A-Za-z0-9_.-]` was refused as "may contain only letters,
 * digits, …" — yet `é`, `ß` or `名` are letters, and an invisible one (a zero-width space pasted
 * with the name, a no-break space) cannot be seen in the echoed name at all. The message now says
 * ASCII letters and names the first character refused and where it is.
 */
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/definition/validate.js';
import { ValidationError } from '../../../src/index.js';

function issues(id: unknown, steps: unknown): { path: string; message: string }[] {
  try {
    validateDefinition(id, steps);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('accepted');
}

describe('names with characters outside [A-Za-z0-9_.-]', () => {
  it('say ASCII letters and name the first character refused, with its index', () => {
    expect(issues('wé', [{ name: 'a' }])).toEqual([
      {
        path: 'id',
        message: `may contain only ASCII letters, digits, '_', '.' and '-', got "wé" ('é', U+00E9, at index 1)`,
      },
    ]);
    expect(issues('w', [{ name: 'transcribe\u200bstt' }])).toEqual([
      {
        path: 'steps[0].name',
        message: `may contain only ASCII letters, digits, '_', '.' and '-', got "transcribe\u200bstt" (U+200B at index 10)`,
      },
    ]);
    expect(issues('w', [{ name: 'a', action: 'call 名' }])).toEqual([
      {
        path: 'steps[0].action',
        message: `may contain only ASCII letters, digits, '_', '.' and '-', got "call 名" (U+0020 at index 4)`,
      },
    ]);
    expect(issues('w', [{ name: 'a😀b' }])).toEqual([
      {
        path: 'steps[0].name',
        message: `may contain only ASCII letters, digits, '_', '.' and '-', got "a😀b" ('😀', U+1F600, at index 1)`,
      },
    ]);
  });
});
