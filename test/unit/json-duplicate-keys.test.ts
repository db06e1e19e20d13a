import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from '../../src/json-duplicate-keys.js';

describe('findDuplicateKey', () => {
  it('names the object holding a key twice and the key', () => {
    expect(findDuplicateKey('{"a":1,"a":2}', 'body')).toEqual({ path: 'body', key: 'a' });
    expect(findDuplicateKey('{"input":{"x":[1,{"b":{},"b":[]}]}}', 'body')).toEqual({
      path: 'body.input.x[1]',
      key: 'b',
    });
    expect(findDuplicateKey('[0, [], {"k":"v"}, {"k":1,"k":2}]', '$')).toEqual({ path: '$[3]', key: 'k' });
    // Keys compare as JSON reads them.
    expect(findDuplicateKey('{"a":1,"\\u0061":2}', 'body')).toEqual({ path: 'body', key: 'a' });
  });

  it('answers null when no object repeats a key', () => {
    for (const text of [
      '{}',
      '[]',
      '"{\\"a\\":1,\\"a\\":1}"',
      '{"a":{"a":{"a":1}},"b":"a","c":["a","a"]}',
      '[{"a":1},{"a":2}]',
      '{"s":"quote \\" and backslash \\\\","t":"\\\\"}',
      '{"a\\"":1,"a":2}',
      '{"":1," ":2}',
    ]) {
      expect(findDuplicateKey(text, 'body'), text).toBeNull();
    }
  });
});
