import { hashPassword } from '../crypto/password';
import type { Application } from '../db/application.repository';
import type { User } from '../db/user.repository';
import type { LoginLimiter } from '../infra/login-limiter';
import { inTransaction } from '../db/transaction';
import { AppError } from '../errors';
import { assertPasswordPolicy } from '../policy/password-policy';
import type { RecoverInput } from '../schemas/user.schema';
import type { Deps } from './deps';
import { readAccountToken, spendAccountToken, spentToken, voidAccountTokens } from './account-token.service';
import { applicationNamed } from './application.service';
import { issueAccountTokenFor, sendQueuedMail } from './mail.service';
import { endSessions, userData } from './user.service';
import { enqueueEvent } from './webhook-events.service';

/** Unknown application and recovery `off` answer alike: 404 (docs/api.md, Sign-up, confirmation and recovery). */
const NO_RECOVERY = 'No password recovery here: there is no such application, or its recovery is off.';

export async function recoveryApplication(name: string, deps: Pick<Deps, 'applications'>): Promise<Application> {
  const app = await applicationNamed(name, deps);
  if (!app || app.recovery !== 'on') throw new AppError('recovery_disabled', NO_RECOVERY);
  return app;
}

function findByIdentifier(app: Application, by: RecoverInput, deps: Pick<Deps, 'users'>): Promise<User | null> {
  return deps.users.findByIdentifier(app.id, by);
}

/** Recovery mails (each a new link) one user gets an hour at most, over every instance. */
export const RECOVERY_MAILS_PER_HOUR = 3;

/**
 * The work of `POST /:app/recover`, run after its answer (always the same 202): a known, enabled
 * user gets a reset token, mailed or handed to the application; an unconfirmed one (its sign-up's
 * mail lost, say to an SMTP outage) gets a new confirmation link instead, the old one void. Either
 * at most RECOVERY_MAILS_PER_HOUR times an hour. An unknown or disabled one gets nothing, and
 * nobody can tell the difference from the answer.
 */
export async function requestRecovery(
  app: Application,
  by: RecoverInput,
  deps: Deps & { limiter: Pick<LoginLimiter, 'takeQuota'> },
): Promise<void> {
  const user = await findByIdentifier(app, by, deps);
  if (!user) return;
  const unconfirmed = user.disabled && (await deps.signups.isUnconfirmed(user.id));
  if (user.disabled && !unconfirmed) return;
  // Past the quota, nothing new: the link already sent stays the valid one, and nobody can flood
  // the user's mailbox or kill each link with the next.
  if (!(await deps.limiter.takeQuota('recovery', user.uid, RECOVERY_MAILS_PER_HOUR, 3600))) {
    deps.logger.info({ app: app.name, uid: user.uid }, 'recovery mail quota reached: no new link sent');
    return;
  }
  const { mailId } = await inTransaction(deps.db, async (transaction) => {
    if (!unconfirmed) return issueAccountTokenFor(deps, transaction, app, user, 'recover');
    // Confirmed meanwhile, or replaced by a new sign-up: nothing to send.
    if (!(await deps.signups.isUnconfirmed(user.id, transaction))) return { mailId: undefined };
    await voidAccountTokens(deps, user.id, transaction);
    return issueAccountTokenFor(deps, transaction, app, user, 'confirm');
  });
  await sendQueuedMail(deps, mailId);
}

/**
 * The reset link's token sets a new password, once, and ends every session of the user: the
 * spend, the new hash, the revocation and the removal of every other pending token share one
 * transaction. A user disabled meanwhile resets nothing.
 */
export async function resetPassword(appName: string, token: string, password: string, deps: Deps) {
  const app = await recoveryApplication(appName, deps);
  assertPasswordPolicy(password, deps.config.passwordMinLength);
  const { record, user } = await readAccountToken(appName, token, 'reset', deps);
  // A disabled user resets nothing, whatever link it holds (checked again as the reset writes).
  if (user.disabled) throw spentToken();
  const passwordHash = await hashPassword(password, deps.config.bcryptCost);
  await inTransaction(deps.db, async (transaction) => {
    const now = deps.clock.now();
    if (!(await spendAccountToken(deps, record, now, transaction))) throw spentToken();
    if (await deps.users.isDisabled(user.id, transaction)) throw spentToken();
    await voidAccountTokens(deps, user.id, transaction);
    await endSessions(user, now, deps, transaction);
    await deps.users.update(user.id, { passwordHash }, transaction);
    await enqueueEvent(deps, transaction, app, 'user.password_changed', { ...userData(user), by: 'reset' });
  });
  return { uid: user.uid, username: user.username };
}
