import { newTotpSecret, otpauthUri, qrSvg } from '../crypto/totp';
import { deleteFactor, findFactor, savePendingFactor } from '../db/second-factor.repository';
import { uniquely } from '../db/unique';
import { AppError } from '../errors';
import { openAdminSession, type AdminLoginResult } from './admin-session.service';
import type { Deps } from './deps';
import type { ConsoleAccount, Principal } from './principal';
import { acceptCode, invalidMfaToken, readMfaToken, sealSecret, spendMfaToken } from './mfa-codes.service';
import { confirmPending } from './mfa.service';

/** The second factor of admin accounts: the console's account page, and `/admin/login/mfa`. */

/** The issuer authenticator apps show for a console account. */
const ISSUER = 'jawth console';

/** The account of a console session, as its check loaded it: a signed request or a key names none. */
export function sessionAccount(principal: Principal | undefined): ConsoleAccount {
  if (principal?.kind !== 'console') {
    throw new AppError(
      'console_session_required',
      'Only a console session names an account: log in at /admin/login to enrol.',
    );
  }
  return principal.account;
}

export async function adminFactorState(account: ConsoleAccount, deps: Deps) {
  const factor = await findFactor(deps.db, { adminId: account.id });
  return { username: account.username, mfa_active: factor?.confirmedAt != null };
}

export async function enrolAdmin(account: ConsoleAccount, deps: Deps) {
  const secret = newTotpSecret();
  const save = () => savePendingFactor(deps.db, { adminId: account.id }, sealSecret(secret, deps), deps.clock.now());
  // Two enrolments at once: the second one's insert meets the first one's row.
  const saved = await uniquely(save, 'enrolment_in_progress', 'Another enrolment is under way; try again.');
  if (!saved)
    throw new AppError('second_factor_active', 'A second factor is already active; another admin can remove it.');
  const uri = otpauthUri(secret, ISSUER, account.username);
  return { secret, otpauth_uri: uri, qr_svg: await qrSvg(uri) };
}

export function confirmAdmin(account: ConsoleAccount, code: string, deps: Deps) {
  return confirmPending({ adminId: account.id }, code, deps);
}

/** `DELETE /admin/accounts/:username/mfa`: another admin's reset (a lost phone, a rotated SECRET_KEY). */
export async function removeAdminFactor(username: string, deps: Deps): Promise<void> {
  const account = await deps.models.AdminAccount.findOne({ where: { username } });
  if (!account) throw new AppError('admin_account_not_found', `No admin account is named "${username}".`);
  const removed = await deleteFactor(deps.db, { adminId: account.id });
  if (removed === 0) throw new AppError('second_factor_not_found', 'This admin account has no second factor.');
}

/** The account an `/admin/login/mfa` token names, for the brute-force counters; 401 otherwise. */
export async function openAdminMfaLogin(token: string, deps: Deps) {
  const record = await readMfaToken(token, 'login', deps);
  const account = record.adminId === null ? null : await deps.models.AdminAccount.findByPk(record.adminId);
  if (!account || record.flow !== 'admin') throw invalidMfaToken('not an admin login token');
  return { record, account };
}

/** `POST /admin/login/mfa`: the code, then the token, are spent; then a console session. */
export async function completeAdminMfaLogin(
  opened: Awaited<ReturnType<typeof openAdminMfaLogin>>,
  code: string,
  deps: Deps,
): Promise<AdminLoginResult> {
  const factor = await findFactor(deps.db, { adminId: opened.account.id });
  if (!factor?.confirmedAt) throw invalidMfaToken('factor removed');
  await acceptCode(factor, code, deps);
  if (!(await spendMfaToken(opened.record, deps))) throw invalidMfaToken('token already used');
  return openAdminSession(opened.account, deps);
}
