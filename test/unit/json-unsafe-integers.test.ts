/**
 * JSON text holding an integer past 2^53 is refused, naming where: JSON.parse rounds it without a
 * word (12345678901234567890 → 12345678901234567000), so the value stored was not the one sent.
 */
import { describe, expect, it } from 'vitest';
import { findUnsafeInteger, unsafeIntegerProblem } from '../../src/json-unsafe-integers.js';

describe('findUnsafeInteger', () => {
  it('finds an integer past 2^53, with its path', () => {
    expect(findUnsafeInteger('12345678901234567890', 'x')).toEqual({
      path: 'x',
      literal: '12345678901234567890',
    });
    expect(findUnsafeInteger('{"a":{"ids":[1,2,-9007199254740993]}}', 'body')).toEqual({
      path: 'body.a.ids[2]',
      literal: '-9007199254740993',
    });
    expect(findUnsafeInteger('[{"k":1},{"n":"x","big":90071992547409930}]', '')).toEqual({
      path: '[1].big',
      literal: '90071992547409930',
    });
    // A key written with escapes is named as JSON.parse reads it.
    expect(findUnsafeInteger('{"\\u0069d":12345678901234567890}', '')?.path).toBe('.id');
  });

  it('leaves safe integers, floats, exponents and digits inside strings alone', () => {
    for (const text of [
      '9007199254740991',
      '-9007199254740991',
      '1234567890123456.5',
      '1e21',
      '12345678901234567890e0',
      '{"id":"12345678901234567890"}',
      '{"12345678901234567890":1}',
      '"say \\"12345678901234567890\\""',
    ]) {
      expect(findUnsafeInteger(text, ''), text).toBeNull();
    }
  });

  it('says what the number would become', () => {
    expect(unsafeIntegerProblem('{"order":{"id":12345678901234567890}}')).toBe(
      'order.id is 12345678901234567890, an integer a JSON number cannot hold exactly (it would be 12345678901234567000): send it as a string',
    );
    expect(unsafeIntegerProblem('{"id":1}')).toBeNull();
  });
});
