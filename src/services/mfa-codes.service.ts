import crypto from 'node:crypto';
import { sha256 } from '../crypto/random';
import { open, seal } from '../crypto/secret-box';
import { matchingStep } from '../crypto/totp';
import type { UserOfApplication } from '../db/user.repository';
import type { OneUseToken } from '../db/one-use-token.repository';
import type { FactorOwner, FactorRecord } from '../db/second-factor.repository';
import { AppError } from '../errors';
import type { Deps } from './deps';

/** A second factor's tokens and codes, shared by applications' users and admin accounts. */

/** How long the token between a password and a code (or an enrolment) lives. */
export const MFA_TOKEN_TTL = 5 * 60;
export const RECOVERY_CODE_COUNT = 10;
/** What a token says once it was completed with a second factor (RFC 8176). */
export const AMR_OTP = ['pwd', 'otp'];

export const invalidMfaToken = (why: string) =>
  new AppError('invalid_token', 'The second-factor token is not valid or has expired; log in again.', undefined, {
    cause: new Error(why),
  });

export const invalidCode = (why: string) =>
  new AppError('invalid_code', 'The code is not valid, or was already used.', undefined, { cause: new Error(why) });

/** The token between a password and a code (or an enrolment): an `mfa_login` or `mfa_enrol` one-use token. */
export interface MfaTokenRecord {
  tokenHash: string;
  /** `login`: a code completes the login; `enrol`: the holder may only enrol a factor. */
  purpose: 'login' | 'enrol';
  /** Which request started it, and so what its completion answers: `login`, `refresh` or `admin`. */
  flow: 'login' | 'refresh' | 'admin';
  userId: number | null;
  adminId: number | null;
  /** The refresh token lifetime asked of /token/refresh, if any. */
  ttl: number | null;
  expiresAt: number;
  createdAt: number;
}

const MFA_PURPOSES = { login: 'mfa_login', enrol: 'mfa_enrol' } as const;

function mfaRecord(token: OneUseToken): MfaTokenRecord {
  return {
    tokenHash: token.tokenHash,
    purpose: token.purpose === 'mfa_enrol' ? 'enrol' : 'login',
    flow: token.data?.flow as MfaTokenRecord['flow'],
    userId: token.userId,
    adminId: token.adminId,
    ttl: typeof token.data?.ttl === 'number' ? token.data.ttl : null,
    expiresAt: token.expiresAt,
    createdAt: token.createdAt,
  };
}

/** An opaque random token; only its SHA-256 is stored. It has no dot, unlike a JWT. */
export async function issueMfaToken(
  owner: FactorOwner,
  purpose: MfaTokenRecord['purpose'],
  flow: MfaTokenRecord['flow'],
  ttl: number | null,
  deps: Deps,
): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  const now = deps.clock.now().getTime();
  await deps.oneUseTokens.issue({
    tokenHash: sha256(token),
    purpose: MFA_PURPOSES[purpose],
    userId: 'userId' in owner ? owner.userId : null,
    adminId: 'adminId' in owner ? owner.adminId : null,
    data: { flow, ttl },
    expiresAt: now + MFA_TOKEN_TTL * 1000,
    createdAt: now,
  });
  return token;
}

/** The live token of this purpose, or 401 invalid_token. It is spent by the caller once it did its work. */
export async function readMfaToken(
  token: string,
  purpose: MfaTokenRecord['purpose'],
  deps: Deps,
): Promise<MfaTokenRecord> {
  const found = await deps.oneUseTokens.find(sha256(token), Object.values(MFA_PURPOSES));
  if (!found) throw invalidMfaToken('no such token (or spent)');
  const record = mfaRecord(found);
  if (record.purpose !== purpose) throw invalidMfaToken(`a ${record.purpose} token used for ${purpose}`);
  if (record.expiresAt <= deps.clock.now().getTime()) throw invalidMfaToken('expired');
  return record;
}

/** Spends a token read before: of concurrent requests, the one whose DELETE removed the row. */
export async function spendMfaToken(record: MfaTokenRecord, deps: Deps): Promise<boolean> {
  return (await deps.oneUseTokens.spend(record.tokenHash, MFA_PURPOSES[record.purpose], deps.clock.now())) !== null;
}

export const sealSecret = (secret: string, deps: Deps) => seal(secret, deps.config.secretKey);
/**
 * The factor's secret, or null when SECRET_KEY is not the one it was sealed with (rotated: see
 * docs/operations.md); its TOTP codes are then refused, its recovery codes (hashes) still work.
 */
export function openSecret(factor: FactorRecord, deps: Deps): string | null {
  try {
    return open(factor.secret, deps.config.secretKey);
  } catch (error) {
    deps.logger.error({ factor: factor.id, err: error }, 'second factor sealed with another SECRET_KEY');
    return null;
  }
}

/** Ten codes of 80 random bits, as `xxxxx-xxxxx-xxxxx-xxxxx` (hex), and their hashes. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    (crypto.randomBytes(10).toString('hex').match(/.{5}/g) as string[]).join('-'),
  );
  return { codes, hashes: codes.map(recoveryHash) };
}

/** Dashes, spaces and case do not matter when a recovery code is typed back. */
function recoveryHash(code: string): string {
  return sha256(code.replace(/[\s-]/g, '').toLowerCase());
}

/**
 * Accepts a TOTP code (its time step spent: a replay, or an older code, is refused) or a
 * recovery code (spent), each in one conditional statement; otherwise 401 invalid_code.
 */
/**
 * Wrong codes in a row, from any address, after which a factor refuses every code for
 * LOGIN_LOCKOUT: the per-(user, IP) limits alone let an attacker who has the password and rotates
 * addresses try codes without end, and three are valid at any moment.
 */
export const MAX_WRONG_CODES = 10;

/**
 * Spends a TOTP code (its time step, once) or a recovery code, or 401 invalid_code. Each check
 * takes its place on the factor's own count first; a right code clears it. `onLocked` runs when
 * this wrong code is the one that locked the factor.
 */
export async function acceptCode(
  factor: FactorRecord,
  code: string,
  deps: Deps,
  onLocked?: () => Promise<void>,
): Promise<'totp' | 'recovery'> {
  const now = deps.clock.now();
  const lockUntil = new Date(now.getTime() + deps.config.loginLockout * 1000);
  const count = await deps.secondFactors.reserveCodeCheck(factor.id, MAX_WRONG_CODES, now, lockUntil);
  if (count === null) throw await factorLocked(factor, now, deps);
  let kind: 'totp' | 'recovery';
  try {
    kind = await spendCode(factor, code, deps);
  } catch (error) {
    if (count >= MAX_WRONG_CODES && error instanceof AppError && error.code === 'invalid_code') {
      await onLocked?.().catch((cause: unknown) =>
        deps.logger.warn({ err: cause }, 'a lockout could not be announced'),
      );
    }
    throw error;
  }
  await deps.secondFactors.clearCodeFailures(factor.id);
  return kind;
}

async function spendCode(factor: FactorRecord, code: string, deps: Deps): Promise<'totp' | 'recovery'> {
  const typed = code.replace(/\s/g, '');
  if (/^\d{6}$/.test(typed)) {
    const secret = openSecret(factor, deps);
    const step = secret === null ? null : matchingStep(secret, typed, deps.clock.now());
    if (step === null) throw invalidCode('wrong code');
    if (!(await deps.secondFactors.spendStep(factor.id, step))) throw invalidCode('code already used');
    return 'totp';
  }
  if (!(await deps.secondFactors.spendRecoveryCode(factor.id, recoveryHash(typed))))
    throw invalidCode('wrong recovery code');
  return 'recovery';
}

async function factorLocked(factor: FactorRecord, now: Date, deps: Deps): Promise<AppError> {
  const until = await deps.secondFactors.lockedUntil(factor.id);
  const retryAfter = Math.max(1, Math.ceil(((until ?? now.getTime()) - now.getTime()) / 1000));
  return new AppError('rate_limited', 'Too many wrong codes: this second factor is locked for now.', undefined, {
    retryAfter,
  });
}

/** What a password step answers when a code must follow (or a factor be enrolled first). */
export type MfaChallenge =
  { mfa_required: true; mfa_token: string } | { mfa_enrolment_required: true; mfa_token: string };

export const isChallenge = (answer: object): answer is MfaChallenge =>
  'mfa_required' in answer || 'mfa_enrolment_required' in answer;

/**
 * After a right password: the challenge, when the application asks for a second factor and the
 * user has one (or must enrol one), else null and the login goes on as before. Nothing is issued
 * and the login is not recorded (a re-hash of the password was saved by authenticate).
 */
export async function secondFactorStep(
  user: UserOfApplication,
  flow: 'login' | 'refresh',
  ttl: number | null,
  deps: Deps,
): Promise<MfaChallenge | null> {
  const app = user.application;
  if (app.mfa === 'off') return null;
  const factor = await deps.secondFactors.find({ userId: user.id });
  const enrolled = factor?.confirmedAt != null;
  if (!enrolled && app.mfa !== 'required') return null;
  const owner = { userId: user.id };
  if (enrolled) return { mfa_required: true, mfa_token: await issueMfaToken(owner, 'login', flow, ttl, deps) };
  return { mfa_enrolment_required: true, mfa_token: await issueMfaToken(owner, 'enrol', flow, ttl, deps) };
}
