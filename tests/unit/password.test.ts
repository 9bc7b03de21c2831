import { AppError } from '../../src/errors';
import { commonPasswordCount, isCommonPassword } from '../../src/policy/common-passwords';
import { hashPassword, needsRehash, verifyPassword } from '../../src/crypto/password';
import { assertPasswordPolicy } from '../../src/policy/password-policy';

const refusal = (password: string, min = 8) => {
  try {
    assertPasswordPolicy(password, min);
    return undefined;
  } catch (error) {
    return error as AppError;
  }
};

describe('password policy', () => {
  it('bundles at least 10,000 common passwords and refuses them case-insensitively', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    expect(isCommonPassword('password1')).toBe(true);
    expect(isCommonPassword('PassWord1')).toBe(true);
    expect(refusal('sunshine1')?.code).toBe('weak_password');
  });

  it('refuses more than 72 bytes of UTF-8 instead of truncating', () => {
    expect(refusal('a'.repeat(72))).toBeUndefined();
    expect(refusal('a'.repeat(73))?.code).toBe('validation_failed');
    expect(refusal('€'.repeat(25))?.code).toBe('validation_failed'); // 25 characters, 75 bytes
  });

  it('counts characters, not bytes, for the minimum length', () => {
    expect(refusal('ééééééé')?.details?.[0].message).toMatch(/at least 8 characters/);
    expect(refusal('Zébulon-9', 9)).toBeUndefined();
  });
});

describe('bcrypt', () => {
  it('hashes at the configured cost, verifies and tells when a re-hash is due', async () => {
    const hash = await hashPassword('a good long password', 4);
    expect(await verifyPassword('a good long password', hash)).toBe(true);
    expect(await verifyPassword('another password', hash)).toBe(false);
    expect(needsRehash(hash, 4)).toBe(false);
    expect(needsRehash(hash, 5)).toBe(true);
  });
});
