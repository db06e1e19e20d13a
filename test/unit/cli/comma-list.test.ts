/**
 * `serve --remote-actions a,,b` (or `''`, or `a,`) was taken as `a,b` (or as no remote actions at
 * all): the empty entry, a typo or an unset variable, vanished silently. Entries are trimmed
 * (`a , b` is `a` and `b`); an empty one is refused naming its position.
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { commaList } from '../../../src/cli/comma-list.js';

const names = commaList('action names');

describe('comma-separated option values', () => {
  it('are the entries, each trimmed', () => {
    expect(names('stt')).toEqual(['stt']);
    expect(names('stt,tts')).toEqual(['stt', 'tts']);
    expect(names(' stt , tts ')).toEqual(['stt', 'tts']);
  });

  it.each([
    ['a,,b', 'Entry 2 of 3 is empty (a stray comma?); expected comma-separated action names.'],
    ['a,', 'Entry 2 of 2 is empty (a stray comma?); expected comma-separated action names.'],
    [',a', 'Entry 1 of 2 is empty (a stray comma?); expected comma-separated action names.'],
    ['a, ,b', 'Entry 2 of 3 is empty (a stray comma?); expected comma-separated action names.'],
    ['', 'Expected comma-separated action names, got an empty value (an unset variable?).'],
    ['  ', 'Expected comma-separated action names, got an empty value (an unset variable?).'],
  ])('refuse %j naming the empty entry', (value, message) => {
    expect(() => names(value)).toThrow(new InvalidArgumentError(message));
  });
});
