// Password checks: the right password passes, anything else fails, including a stored hash that is not
// one (a corrupted row must never let every password in) and an unknown user, even with the dummy's own
// password. That unknown users cost what known ones cost is a timing property: bench/auth measures it.
import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '../../src/auth/passwords.js';

describe('verifyPassword', () => {
  it('passes the right password and only it', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false);
  });

  it('fails every password against a stored value that is not an argon2 hash', async () => {
    expect(await verifyPassword('not-a-hash', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('$argon2id$v=19$broken', 'anything')).toBe(false);
  });

  it('fails for an unknown user, whatever is typed', async () => {
    expect(await verifyPassword(null, 'anything')).toBe(false);
    expect(await verifyPassword(null, 'docrpc-dummy-password-for-timing')).toBe(false);
  });
});

describe('needsRehash', () => {
  it('is false for a hash made today, true for one made with weaker parameters', async () => {
    expect(needsRehash(await hashPassword('x'.repeat(12)))).toBe(false);
    const weak =
      '$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$kF9aQdbC2B5vOIzi6f0ppI2JxGm2BI6bq6Bz5b+YmWU';
    expect(needsRehash(weak)).toBe(true);
  });
});
