import type { Transaction } from '../db/transaction';
import { open, seal, MAIL_CONTENTS } from '../crypto/secret-box';
import { randomId } from '../crypto/random';
import type { ClaimedMail, MailOutboxRepository, QueuedMail } from '../db/mail-outbox.repository';
import type { Application } from '../db/application.repository';
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
  type MailTemplate,
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

/** A mail is tried this many times (about an hour and a quarter in all), or until its link expires. */
export const MAIL_ATTEMPTS = 8;
/** The wait after the first failed attempt; it doubles after each, up to MAIL_RETRY_MAX_MS. */
export const MAIL_RETRY_BASE_MS = 30_000;
const MAIL_RETRY_MAX_MS = 30 * 60_000;
/** A claimed mail is this sender's for that long (well beyond SEND_DEADLINE_MS); then another may take it. */
const MAIL_LEASE_MS = 60_000;
/** A notice says nothing time-bound: it is tried for a day. */
const NOTICE_LIFETIME_MS = 24 * 3600_000;
/** Who holds a lease: this process. */
const SENDER = `${process.pid}-${randomId().slice(0, 12)}`;

type MailApp = Pick<Application, 'id' | 'name' | 'publicUrl' | 'mailTemplates'>;

/**
 * Issues a confirmation or reset token for `user` in `transaction`, and in the same transaction
 * what carries it: with SMTP, the mail in the outbox; without it, the event to the application's
 * webhooks. So the token exists if and only if its way to the user does, and an SMTP outage
 * delays the mail instead of losing it. Returns the token and the outbox mail's id (none when
 * there is nothing to mail: no SMTP, no address or no public_url), for `sendQueuedMail` after
 * the commit.
 */
export async function issueAccountTokenFor(
  deps: Deps,
  transaction: Transaction,
  app: MailApp,
  user: MailRecipient & { id: number },
  kind: MailKind,
): Promise<{ token: string; expiresAt: Date; mailId?: number }> {
  const issued = await issueAccountToken(user.id, kind === 'confirm' ? 'confirm' : 'reset', deps, transaction);
  if (!mailsBySmtp(deps)) {
    await enqueueEvent(deps, transaction, app, ACCOUNT_EVENTS[kind], {
      uid: user.uid,
      username: user.username,
      email: user.email,
      token: issued.token,
      expires_at: issued.expiresAt.toISOString(),
    });
    return issued;
  }
  if (!user.email || !app.publicUrl) {
    deps.logger.info(
      { app: app.name, uid: user.uid, mail: kind },
      user.email ? 'no public_url: no mail sent' : 'the user has no e-mail address: no mail sent',
    );
    return issued;
  }
  const content = renderTemplate(mailTemplatesOf(app)[kind], {
    link: accountLink(app.publicUrl, issued.token),
    username: UNPROVED_ADDRESS[kind] ? '' : user.username,
    app: app.name,
  });
  const mailId = await queueMail(deps, transaction, {
    applicationId: app.id,
    userId: user.id,
    kind,
    recipient: user.email,
    content,
    expiresAt: issued.expiresAt,
  });
  return { ...issued, mailId };
}

/**
 * Queues the notice of a sign-up that stored nothing (`confirm` mode, a name or address in use)
 * to the address it named, through SMTP only (without it there is no one to tell), and sends it.
 * Never throws.
 */
export async function sendSignupNotice(deps: Deps, app: Pick<Application, 'id' | 'name'>, address: string) {
  if (!mailsBySmtp(deps)) return;
  const content = renderTemplate(SIGNUP_NOTICE, { link: '', username: '', app: app.name });
  const expiresAt = new Date(deps.clock.now().getTime() + NOTICE_LIFETIME_MS);
  try {
    const mail = { applicationId: app.id, userId: null, kind: 'signup_notice' as const, recipient: address };
    // One row and no token beside it: a statement of its own.
    const id = await queueMail(deps, undefined, { ...mail, content, expiresAt });
    await sendQueuedMail(deps, id);
  } catch (error) {
    deps.logger.warn({ app: app.name, mail: 'signup_notice', err: error }, 'account mail not queued');
  }
}

async function queueMail(
  deps: Pick<Deps, 'clock' | 'config' | 'mailOutbox'>,
  transaction: Transaction | undefined,
  mail: Omit<QueuedMail, 'contentSealed' | 'createdAt'> & { content: MailTemplate },
): Promise<number> {
  const { content, ...rest } = mail;
  // The content holds the link's token: sealed, like the tokens in queued webhook payloads.
  const contentSealed = seal(JSON.stringify(content), deps.config.secretKey, MAIL_CONTENTS);
  return deps.mailOutbox.insert({ ...rest, contentSealed, createdAt: deps.clock.now() }, transaction);
}

/** Sends one queued mail now (after the answer); a failure leaves it to the retries. Never throws. */
export async function sendQueuedMail(deps: Deps, id: number | undefined): Promise<void> {
  if (id === undefined || !deps.config.smtpUrl) return;
  const now = deps.clock.now();
  const mail = await deps.mailOutbox
    .claim(now, new Date(now.getTime() + MAIL_LEASE_MS), SENDER, id)
    .catch((error: unknown) => {
      deps.logger.warn({ err: error, mail_id: id }, 'account mail not claimed: left to the retries');
      return null;
    });
  if (mail) await attempt(deps, deps.config.smtpUrl, mail);
}

/**
 * Sends every mail due now (a first attempt that did not happen, or a retry come due), each
 * claimed by this process alone, until none is left or `signal` aborts. Returns how many went.
 */
export async function runMailOutbox(
  deps: Pick<Deps, 'clock' | 'config' | 'logger' | 'mailOutbox'>,
  signal?: AbortSignal,
) {
  const { smtpUrl } = deps.config;
  let sent = 0;
  if (!smtpUrl || !(await deps.mailOutbox.anyDue(deps.clock.now()))) return sent;
  while (!signal?.aborted) {
    const now = deps.clock.now();
    const mail = await deps.mailOutbox.claim(now, new Date(now.getTime() + MAIL_LEASE_MS), SENDER);
    if (!mail) break;
    if (await attempt(deps, smtpUrl, mail)) sent += 1;
  }
  return sent;
}

/** The wait before the attempt after `attempts` failed ones: 30 s, 1 min, 2 min, … up to 30 min. */
export const mailRetryDelay = (attempts: number) =>
  Math.min(MAIL_RETRY_BASE_MS * 2 ** (attempts - 1), MAIL_RETRY_MAX_MS);

/** One attempt at a claimed mail, recorded in the outbox; true when it was sent. */
async function attempt(
  deps: Pick<Deps, 'clock' | 'config' | 'logger' | 'mailOutbox'>,
  smtpUrl: string,
  mail: ClaimedMail,
): Promise<boolean> {
  const context = { mail_id: mail.id, mail: mail.kind, attempt: mail.attempts + 1 };
  const record = (
    at: Date,
    next: Omit<Parameters<MailOutboxRepository['finishAttempt']>[2], 'nextAttemptAt'> & { nextAttemptAt?: Date },
  ) =>
    deps.mailOutbox.finishAttempt(mail, at, { nextAttemptAt: at, ...next }).catch((cause: unknown) =>
      // The lease lapses and the mail is tried again: sent twice at worst, never lost.
      deps.logger.warn({ ...context, err: cause }, 'mail attempt not recorded'),
    );
  const started = deps.clock.now();
  if (started >= mail.expiresAt) {
    await record(started, { status: 'failed', error: 'expired' });
    deps.logger.warn(context, 'account mail given up: its link expired before it could be sent');
    return false;
  }
  try {
    const content = JSON.parse(open(mail.contentSealed, deps.config.secretKey, MAIL_CONTENTS)) as MailTemplate;
    await mailerFor(smtpUrl).send({ from: deps.config.mailFrom, to: mail.recipient, ...content });
  } catch (error) {
    // The error's message and code only: nodemailer may attach the message (and so the link).
    const { message, code } = error as { message?: string; code?: string };
    const reason = `${code ?? 'error'}: ${message ?? ''}`.slice(0, 300);
    const at = deps.clock.now();
    const tries = mail.attempts + 1;
    const retryAt = new Date(at.getTime() + mailRetryDelay(tries));
    const givenUp = tries >= MAIL_ATTEMPTS || retryAt >= mail.expiresAt;
    await record(at, { status: givenUp ? 'failed' : 'pending', nextAttemptAt: retryAt, error: reason });
    const logged = { ...context, error: { message, code }, smtp: redactedSmtpUrl(smtpUrl) };
    if (givenUp) deps.logger.error(logged, `account mail given up after ${tries} attempts`);
    else deps.logger.warn({ ...logged, retry_at: retryAt.toISOString() }, 'account mail not sent: will retry');
    return false;
  }
  await record(deps.clock.now(), { status: 'sent', error: null });
  deps.logger.info(context, 'account mail sent');
  return true;
}
