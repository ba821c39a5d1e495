// The one Bearer parser every transport uses: exactly `Bearer <token>`, any case of the scheme, any run of
// whitespace between; anything else carries no credential (null), never a thrown error.
import { describe, expect, it } from 'vitest';
import { bearerToken } from '../../src/auth/bearer.js';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def-123', 'abc.def-123'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer  \t abc', 'abc'],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [''],
    ['Basic dXNlcjpwYXNz'],
    ['Bearer'],
    ['Bearer '],
    ['xBearer abc'],
    ['Bearer abc def'],
    ['Token Bearer abc'],
  ])('%j → null', (header) => {
    expect(bearerToken(header)).toBeNull();
  });
});
