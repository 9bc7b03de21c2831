import { hashPassword } from '../crypto/password';
import { randomId } from '../crypto/random';
import type { Application } from '../db/application.repository';
import { AppError } from '../errors';
import { assertPasswordPolicy } from '../policy/password-policy';
import type { Deps } from './deps';
import { readAccountToken, spendAccountToken, spentToken, voidAccountTokens } from './account-token.service';
import { applicationNamed } from './application.service';
import { issueAccountTokenFor, sendQueuedMail, sendSignupNotice } from './mail.service';
import { createUser, userData } from './user.service';
import { enqueueEvent } from './webhook-events.service';
import { type Transaction, inTransaction } from '../db/transaction';

/** Unknown application and sign-up `off` answer alike: 404 (docs/api.md, Sign-up, confirmation and recovery). */
const NO_SIGNUP = 'No sign-up here: there is no such application, or its sign-up is off.';

/** The application when its sign-up is open (`open` or `confirm`); else 404. */
export async function signupApplication(name: string, deps: Pick<Deps, 'applications'>): Promise<Application> {
  const app = await applicationNamed(name, deps);
  if (!app || app.signup === 'off') throw new AppError('signup_disabled', NO_SIGNUP);
  return app;
}

export interface SignupInput {
  username: string;
  password: string;
  email?: string;
}

export interface SignupResult {
  uid: string;
  username: string;
  /** Run after the answer: the confirmation link, or the notice to an address already in use. */
  mail?: () => Promise<void>;
}

/**
 * A user signs up: the password policy as for an admin's user, then the names already taken,
 * before any password is hashed. `open` mode answers a taken username or address with 409
 * (the documented price of signing up unconfirmed). `confirm` mode never tells: a sign-up whose
 * username or address a confirmed account holds answers like a new one (a new-looking uid,
 * nothing stored; the password is hashed all the same, so that the timing does not tell either)
 * and the address gets a notice that someone tried; otherwise the account is created disabled
 * with a confirmation token in one transaction, and `mail` (run after the answer) sends the link.
 */
export async function signup(app: Application, input: SignupInput, deps: Deps): Promise<SignupResult> {
  if (app.signup === 'confirm' && !input.email) {
    throw new AppError('validation_failed', 'This application confirms sign-ups by e-mail: give an e-mail address.', [
      { field: 'email', message: 'is required (sign-ups are confirmed by e-mail)' },
    ]);
  }
  assertPasswordPolicy(input.password, deps.config.passwordMinLength);
  // An unconfirmed account holds nothing: this sign-up replaces it (its link then confirms nothing).
  const holders = (await deps.signups.holders(app.id, input.username, input.email)).filter((h) => !h.unconfirmed);
  const beforeCreate = (transaction: Transaction) => replaceUnconfirmed(app, input, deps, transaction);
  if (app.signup !== 'confirm') {
    if (holders.some((h) => h.hasUsername)) throw new AppError('username_taken', 'This username is taken.');
    if (holders.some((h) => h.hasEmail)) throw new AppError('email_taken', 'This e-mail address is in use.');
    const user = await createUser(app, input, deps, { beforeCreate });
    return { uid: user.uid, username: user.username };
  }
  const email = input.email as string;
  if (holders.length > 0) return pretend(app, input, email, deps);
  let mailId: number | undefined;
  let user;
  try {
    user = await createUser(app, input, deps, {
      beforeCreate,
      disabled: true,
      afterCreate: async (created, transaction) => {
        ({ mailId } = await issueAccountTokenFor(deps, transaction, app, created, 'confirm'));
      },
    });
  } catch (error) {
    // A concurrent sign-up took the name or address between the check and the insert.
    if (error instanceof AppError && (error.code === 'username_taken' || error.code === 'email_taken'))
      return pretend(app, input, email, deps, false);
    throw error;
  }
  return { uid: user.uid, username: user.username, mail: () => sendQueuedMail(deps, mailId) };
}

/** The answer of a new sign-up for one that stores nothing, and the notice to the address. */
async function pretend(
  app: Application,
  input: SignupInput,
  email: string,
  deps: Deps,
  hash = true,
): Promise<SignupResult> {
  if (hash) await hashPassword(input.password, deps.config.bcryptCost);
  return { uid: randomId(), username: input.username, mail: () => sendSignupNotice(deps, app, email) };
}

/** Deletes the unconfirmed accounts holding the username or address, in the sign-up's transaction. */
async function replaceUnconfirmed(app: Application, input: SignupInput, deps: Deps, transaction: Transaction) {
  const holders = await deps.signups.holders(app.id, input.username, input.email, transaction);
  const unconfirmed = holders.filter((h) => h.unconfirmed);
  const deleted = await deps.signups.deleteUnconfirmed(
    unconfirmed.map((h) => h.id),
    transaction,
  );
  for (const holder of unconfirmed.filter((h) => deleted.includes(h.id)))
    await enqueueEvent(deps, transaction, app, 'user.deleted', { ...userData(holder), reason: 'replaced' });
}

/** How many expired sign-ups one transaction of the purge deletes. */
const PURGE_BATCH = 200;

/**
 * Deletes the unconfirmed accounts whose confirmation link has expired (periodic maintenance),
 * in batches; each gets `user.deleted` as an admin's deletion does. Returns how many went.
 */
export async function purgeExpiredSignups(
  deps: Pick<Deps, 'db' | 'clock' | 'caches' | 'config' | 'signups' | 'deliveries' | 'webhooks'>,
  now: Date,
): Promise<number> {
  let purged = 0;
  for (;;) {
    const batch = await deps.signups.expired(now, PURGE_BATCH);
    if (batch.length === 0) break;
    const deleted = await inTransaction(deps.db, async (transaction) => {
      const ids = await deps.signups.deleteUnconfirmed(
        batch.map((u) => u.id),
        transaction,
      );
      for (const user of batch.filter((u) => ids.includes(u.id)))
        await enqueueEvent(deps, transaction, { id: user.applicationId, name: user.app }, 'user.deleted', {
          ...userData(user),
          reason: 'unconfirmed',
        });
      return ids.length;
    });
    purged += deleted;
    if (deleted === 0 || batch.length < PURGE_BATCH) break;
  }
  if (purged > 0) deps.caches.userCounts.forget();
  return purged;
}

/** The confirmation link's token enables the account, once. */
export async function confirmSignup(appName: string, token: string, deps: Deps) {
  await signupApplication(appName, deps);
  const { record, user } = await readAccountToken(appName, token, 'confirm', deps);
  await inTransaction(deps.db, async (transaction) => {
    if (!(await spendAccountToken(deps, record, deps.clock.now(), transaction))) throw spentToken();
    // `disabled` changes: whatever else was pending for the user is void (as for an admin's change).
    await voidAccountTokens(deps, user.id, transaction);
    await deps.users.update(user.id, { disabled: false }, transaction);
  });
  return { uid: user.uid, username: user.username };
}
