import type { Transaction } from 'sequelize';
import type { Application } from '../db/models';
import { createMailer, type Mailer } from '../infra/smtp-mailer';
import { issueAccountToken } from './account-token.service';
import type { Deps } from './deps';
import {
  SIGNUP_NOTICE,
  UNPROVED_ADDRESS,
  accountLink,
  mailTemplatesOf,
  renderTemplate,
  type MailKind,
} from './mail-templates';
import { enqueueEvent } from './webhook-events.service';

/** The webhook events an application receives when jawth has no SMTP server to mail through. */
export const ACCOUNT_EVENTS = {
  confirm: 'user.signup_confirmation_requested',
  recover: 'user.recovery_requested',
} as const satisfies Record<MailKind, string>;

/** Whom a mail is for. */
export interface MailRecipient {
  uid: string;
  username: string;
  email: string | null;
}

// One mailer per SMTP_URL for the life of the process, made at the first mail.
const mailers = new Map<string, Mailer>();

function mailerFor(smtpUrl: string): Mailer {
  const mailer = mailers.get(smtpUrl) ?? createMailer(smtpUrl);
  mailers.set(smtpUrl, mailer);
  return mailer;
}

/** SMTP_URL with its password replaced, for a log line or an error message. */
export function redactedSmtpUrl(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'smtp://(unparsable)';
  }
}

/**
 * A confirmation or reset token reaches its user by mail when SMTP_URL is set; without it, the
 * application's webhooks get the token as an event and it sends its own mail.
 */
export const mailsBySmtp = (deps: Pick<Deps, 'config'>): boolean => Boolean(deps.config.smtpUrl);

/**
 * Issues a confirmation or reset token for `user` in `transaction`. Without SMTP, the event that
 * carries it to the application's webhooks is queued in the same transaction: the token exists
 * if and only if its event does. Returns the token, for `sendAccountMail` after the commit.
 */
export async function issueAccountTokenFor(
  deps: Deps,
  transaction: Transaction,
  app: Pick<Application, 'id' | 'name'>,
  user: MailRecipient & { id: number },
  kind: MailKind,
): Promise<{ token: string; expiresAt: Date }> {
  const issued = await issueAccountToken(user.id, kind === 'confirm' ? 'confirm' : 'reset', deps, transaction);
  if (!mailsBySmtp(deps)) {
    await enqueueEvent(deps, transaction, app, ACCOUNT_EVENTS[kind], {
      uid: user.uid,
      username: user.username,
      email: user.email,
      token: issued.token,
      expires_at: issued.expiresAt.toISOString(),
    });
  }
  return issued;
}

/**
 * Mails the link with the token through SMTP_URL (nothing to do without it: the event went out
 * with the token). Run after the answer. Never throws: a failure is logged (without the token).
 */
export async function sendAccountMail(
  deps: Deps,
  app: Pick<Application, 'id' | 'name' | 'publicUrl' | 'mailTemplates'>,
  user: MailRecipient,
  kind: MailKind,
  token: string,
): Promise<void> {
  const { smtpUrl, mailFrom } = deps.config;
  if (!smtpUrl) return;
  const context = { app: app.name, uid: user.uid, mail: kind };
  if (!user.email || !app.publicUrl) {
    deps.logger.info(
      context,
      user.email ? 'no public_url: no mail sent' : 'the user has no e-mail address: no mail sent',
    );
    return;
  }
  const link = accountLink(app.publicUrl, token);
  const { subject, text } = renderTemplate(mailTemplatesOf(app)[kind], {
    link,
    username: UNPROVED_ADDRESS[kind] ? '' : user.username,
    app: app.name,
  });
  await deliver(deps, smtpUrl, { from: mailFrom, to: user.email, subject, text }, context);
}

/**
 * Mails the notice of a sign-up that stored nothing (`confirm` mode, a name or address in use) to
 * the address it named, through SMTP_URL only: without it there is no one to tell. Never throws.
 */
export async function sendSignupNotice(deps: Deps, app: Pick<Application, 'name'>, address: string): Promise<void> {
  const { smtpUrl, mailFrom } = deps.config;
  if (!smtpUrl) return;
  const { subject, text } = renderTemplate(SIGNUP_NOTICE, { link: '', username: '', app: app.name });
  await deliver(
    deps,
    smtpUrl,
    { from: mailFrom, to: address, subject, text },
    { app: app.name, mail: 'signup_notice' },
  );
}

async function deliver(
  deps: Pick<Deps, 'logger'>,
  smtpUrl: string,
  mail: { from?: string; to: string; subject: string; text: string },
  context: Record<string, unknown>,
): Promise<void> {
  try {
    await mailerFor(smtpUrl).send(mail);
    deps.logger.info(context, 'account mail sent');
  } catch (error) {
    // The error's message and code only: nodemailer may attach the message (and so the link).
    const { message, code } = error as { message?: string; code?: string };
    deps.logger.warn({ ...context, error: { message, code }, smtp: redactedSmtpUrl(smtpUrl) }, 'account mail not sent');
  }
}
