import { newTotpSecret, otpauthUri, qrSvg, matchingStep } from '../crypto/totp';
import type { User, UserOfApplication } from '../db/user.repository';
import type { ClientInfo } from '../db/session.repository';
import { uniquely } from '../db/unique';
import { AppError } from '../errors';
import { assertLatestLogin, verifiedLoginClaims } from './change-password.service';
import type { Deps } from './deps';
import { findLoginUser, recordLogin, startLogin, type LoginResult } from './login.service';
import {
  acceptCode,
  AMR_OTP,
  invalidCode,
  invalidMfaToken,
  newRecoveryCodes,
  openSecret,
  readMfaToken,
  sealSecret,
  spendMfaToken,
  type MfaTokenRecord,
} from './mfa-codes.service';

export { isChallenge, secondFactorStep, type MfaChallenge } from './mfa-codes.service';
import { createRefreshToken } from './token.service';
import { userLockedOut } from './webhook-events.service';

/** The user a login token of `/:app/login/mfa` belongs to, for the brute-force counters; 401 otherwise. */
export async function openMfaLogin(appName: string, token: string, deps: Deps) {
  const record = await readMfaToken(token, 'login', deps);
  const user = record.userId === null ? null : await userWithMemberships(record.userId, deps);
  if (!user || user.application?.name !== appName) throw invalidMfaToken('token of another application');
  return { record, user };
}

/**
 * `POST /:app/login/mfa`: the code is accepted (spent), then the token is spent (of concurrent
 * completions, one deletes it), then the login is completed as the request that started it
 * would have: a login answer, or for /token/refresh its `{token}`.
 */
export async function completeMfaLogin(
  opened: { record: MfaTokenRecord; user: UserOfApplication },
  code: string,
  client: ClientInfo,
  deps: Deps,
): Promise<LoginResult | { token: string }> {
  const { record, user } = opened;
  if (user.disabled) throw invalidMfaToken('user disabled');
  if (revokedSince(record, user)) throw invalidMfaToken('sessions revoked after the password step');
  const factor = await deps.secondFactors.find({ userId: user.id });
  if (!factor?.confirmedAt) throw invalidMfaToken('factor removed');
  const app = user.application;
  const lockedOut = () => userLockedOut(app.name, user.username, client.ip ?? 'unknown', deps, { second_factor: true });
  await acceptCode(factor, code, deps, lockedOut);
  if (!(await spendMfaToken(record, deps))) throw invalidMfaToken('token already used');
  if (record.flow === 'login') return startLogin(user, client, deps, AMR_OTP);
  await recordLogin(user, deps);
  const ttl = record.ttl ?? app.refreshTtlMax;
  return { token: await createRefreshToken(app, user, ttl, deps, client, { amr: AMR_OTP }) };
}

/**
 * A password change, a disable or a revocation of the user's sessions after the password step
 * ends its pending mfa_token too, as it ends the login tokens of that time.
 */
const revokedSince = (record: MfaTokenRecord, user: User) =>
  user.tokensValidAfter !== null && record.createdAt < user.tokensValidAfter.getTime();

function userWithMemberships(id: number, deps: Pick<Deps, 'users'>): Promise<UserOfApplication | null> {
  return deps.users.findWithApplication(id);
}

/**
 * Who may enrol: the holder of the token of the user's latest login (as change_password), or of
 * the enrolment token a `required` application's login answered with; a token with no dot is
 * the latter (a JWT has two). The bearer is verified before the user is looked up, and every
 * refusal until then reads the same, so that this route, which needs no password, tells nobody
 * which usernames exist or are disabled.
 */
async function authoriseEnrolment(appName: string, username: string, bearer: string, deps: Deps) {
  const { user, enrolToken } = bearer.includes('.')
    ? { user: await loginTokenHolder(appName, username, bearer, deps), enrolToken: undefined }
    : await enrolTokenHolder(appName, username, bearer, deps);
  const app = user.application;
  if (app.mfa === 'off') throw new AppError('mfa_off');
  return { user, app, enrolToken };
}

const notForThisUser = (why: string) =>
  new AppError('unauthorized', 'The token is not valid for this user.', undefined, { cause: new Error(why) });

async function loginTokenHolder(
  appName: string,
  username: string,
  bearer: string,
  deps: Deps,
): Promise<UserOfApplication> {
  const app = await deps.caches.applications.find(appName);
  if (!app) throw notForThisUser('no such application');
  const claims = verifiedLoginClaims(app, bearer, deps);
  if (claims.app !== app.name || claims.username !== username) throw notForThisUser('token of another user');
  const user = await findLoginUser(appName, username, deps);
  if (!user || user.disabled || claims.id !== user.uid) throw notForThisUser('no such user, disabled, or another uid');
  assertLatestLogin(user, claims);
  return user;
}

async function enrolTokenHolder(appName: string, username: string, bearer: string, deps: Deps) {
  const enrolToken = await readMfaToken(bearer, 'enrol', deps).catch(() => undefined);
  const user = enrolToken?.userId ? await userWithMemberships(enrolToken.userId, deps) : null;
  if (!enrolToken || !user || user.application?.name !== appName || user.username !== username)
    throw notForThisUser("no such enrolment token, or another user's");
  if (user.disabled || revokedSince(enrolToken, user)) throw notForThisUser('user disabled or sessions revoked');
  return { user, enrolToken };
}

/** `POST /:app/:username/mfa/enrol`: a new secret, pending until a first code confirms it. */
export async function enrol(appName: string, username: string, bearer: string, deps: Deps) {
  const { user, app } = await authoriseEnrolment(appName, username, bearer, deps);
  const secret = newTotpSecret();
  const save = () => deps.secondFactors.savePending({ userId: user.id }, sealSecret(secret, deps), deps.clock.now());
  // Two enrolments at once: the second one's insert meets the first one's row.
  const saved = await uniquely(save, 'enrolment_in_progress', 'Another enrolment is under way; try again.');
  if (!saved) throw new AppError('second_factor_active', 'A second factor is already active; an admin can remove it.');
  const uri = otpauthUri(secret, app.name, user.username);
  return { secret, otpauth_uri: uri, qr_svg: await qrSvg(uri) };
}

/** `POST /:app/:username/mfa/confirm`: a first code activates the factor; its recovery codes, shown once. */
export async function confirm(appName: string, username: string, bearer: string, code: string, deps: Deps) {
  const { user, enrolToken } = await authoriseEnrolment(appName, username, bearer, deps);
  return confirmPending({ userId: user.id }, code, deps, async () => {
    // The enrolment token has done its work: the user now logs in with password and code.
    if (enrolToken) await spendMfaToken(enrolToken, deps);
  });
}

/** Confirms the pending factor of a user or an admin account with its first code. */
export async function confirmPending(
  owner: { userId: number } | { adminId: number },
  code: string,
  deps: Deps,
  after?: () => Promise<void>,
): Promise<{ recovery_codes: string[] }> {
  const factor = await deps.secondFactors.find(owner);
  if (!factor) throw new AppError('no_enrolment_pending');
  if (factor.confirmedAt !== null) throw new AppError('second_factor_active', 'The second factor is already active.');
  const secret = openSecret(factor, deps);
  const step = secret === null ? null : matchingStep(secret, code.replace(/\s/g, ''), deps.clock.now());
  if (step === null) throw invalidCode('wrong first code');
  const { codes, hashes } = newRecoveryCodes();
  if (!(await deps.secondFactors.confirm(factor.id, step, hashes, deps.clock.now()))) {
    throw new AppError('second_factor_active', 'The second factor is already active.');
  }
  await after?.();
  return { recovery_codes: codes };
}

/** `DELETE /:app/users/:username/mfa`: the user logs in with a password alone again (or must re-enrol). */
export async function removeFactor(user: User, deps: Deps): Promise<void> {
  const removed = await deps.secondFactors.delete({ userId: user.id });
  if (removed === 0) throw new AppError('second_factor_not_found', 'This user has no second factor.');
}
