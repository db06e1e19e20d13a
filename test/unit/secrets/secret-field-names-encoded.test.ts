/**
 * A secret field's name written with escapes is the same name to the reader of the JSON or the
 * form: `"\u0070assword"` is `password`, `access%5Ftoken=` is `access_token=`. Those values were
 * left in the excerpt of an error body, only the plain spellings found.
 */
import { describe, expect, it } from 'vitest';
import { secretFieldSpans } from '../../../src/actions/secret-fields.js';

/** `text` with each secret field's value replaced by `***`. */
function redacted(text: string): string {
  let out = text;
  for (const [start, end] of secretFieldSpans(text).sort((a, b) => b[0] - a[0])) {
    out = `${out.slice(0, start)}***${out.slice(end)}`;
  }
  return out;
}

describe('secret field names with escapes', () => {
  it('are found in JSON, as JSON.parse reads them', () => {
    const body = '{"\\u0070assword":"hunter2","user":"bob","api\\u005fkey":42}';
    expect(Object.keys(JSON.parse(body) as object)).toEqual(['password', 'user', 'api_key']);
    expect(redacted(body)).toBe('{"\\u0070assword":"***","user":"bob","api\\u005fkey":***}');
  });

  it('are found in JSON written inside a JSON string', () => {
    const inner = '{"\\u0070assword":"hunter2","user":"bob"}';
    const body = JSON.stringify({ error: inner });
    expect(redacted(body)).toBe(JSON.stringify({ error: '{"\\u0070assword":"***","user":"bob"}' }));
    expect(redacted(body)).not.toContain('hunter2');
    expect(redacted(body)).toContain('bob');
  });

  it('are found percent-encoded in a query or form, as a form reader decodes them', () => {
    expect(new URLSearchParams('access%5Ftoken=abc').get('access_token')).toBe('abc');
    expect(redacted('error=denied&access%5Ftoken=abc&state=x')).toBe(
      'error=denied&access%5Ftoken=***&state=x',
    );
    expect(redacted('?client%5fsecret=abc')).toBe('?client%5fsecret=***');
    // Not a secret's name, decoded or not; a bad escape is taken as written.
    expect(redacted('page%5Fsize=10&q=%E0%A4%A')).toBe('page%5Fsize=10&q=%E0%A4%A');
  });
});
