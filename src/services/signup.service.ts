import { spendAccountToken } from '../db/account-token.repository';
import type { Application } from '../db/models';
import { inTransaction } from '../db/transaction';
import { AppError } from '../errors';
import { appNameSchema } from '../schemas/common.schema';
import type { Deps } from './deps';
import { readAccountToken, spentToken } from './account-token.service';
import { issueAccountTokenFor, sendAccountMail } from './mail.service';
import { createUser } from './user.service';

/** Unknown application and sign-up `off` answer alike: 404 (docs/api.md, Sign-up, confirmation and recovery). */
const NO_SIGNUP = 'No sign-up here: there is no such application, or its sign-up is off.';

/** The application when its sign-up is open (`open` or `confirm`); else 404. */
export async function signupApplication(name: string, deps: Pick<Deps, 'models'>): Promise<Application> {
  // A name no application can have is not looked up.
  const app = appNameSchema.safeParse(name).success ? await deps.models.Application.findOne({ where: { name } }) : null;
  if (!app || app.signup === 'off') throw new AppError('not_found', NO_SIGNUP);
  return app;
}

export interface SignupInput {
  username: string;
  password: string;
  email?: string;
}

/**
 * A user signs up: the password policy as for an admin's user; in `confirm` mode the account is
 * created disabled with a confirmation token, in the same transaction, and `mail` (run after
 * the answer) sends the link.
 */
export async function signup(
  app: Application,
  input: SignupInput,
  deps: Deps,
): Promise<{ uid: string; username: string; mail?: () => Promise<void> }> {
  if (app.signup !== 'confirm') {
    const user = await createUser(app, input, deps);
    return { uid: user.uid, username: user.username };
  }
  if (!input.email) {
    throw new AppError('validation_failed', 'This application confirms sign-ups by e-mail: give an e-mail address.', [
      { field: 'email', message: 'is required (sign-ups are confirmed by e-mail)' },
    ]);
  }
  let token = '';
  const user = await createUser(app, input, deps, {
    disabled: true,
    afterCreate: async (created, transaction) => {
      ({ token } = await issueAccountTokenFor(deps, transaction, app, created, 'confirm'));
    },
  });
  const recipient = { uid: user.uid, username: user.username, email: user.email };
  return {
    uid: user.uid,
    username: user.username,
    mail: () => sendAccountMail(deps, app, recipient, 'confirm', token),
  };
}

/** The confirmation link's token enables the account, once. */
export async function confirmSignup(appName: string, token: string, deps: Deps) {
  await signupApplication(appName, deps);
  const { record, user } = await readAccountToken(appName, token, 'confirm', deps);
  await inTransaction(deps.db, async (transaction) => {
    if (!(await spendAccountToken(deps.db, record.id, deps.clock.now(), transaction))) throw spentToken();
    user.disabled = false;
    await user.save({ transaction });
  });
  return { uid: user.uid, username: user.username };
}
