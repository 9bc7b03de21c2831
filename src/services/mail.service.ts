import nodemailer, { type Transporter } from 'nodemailer';
import type { Application } from '../db/models';
import type { Deps } from './deps';
import { accountLink, mailTemplatesOf, renderTemplate, type MailKind } from './mail-templates';

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

/** Bounded, so that a server that does not answer cannot hold a mail (and its memory) for long. */
const TIMEOUTS = { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10000 };

// One transport per SMTP_URL for the life of the process, made at the first mail.
const transports = new Map<string, Transporter>();

function transportFor(smtpUrl: string): Transporter {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = nodemailer.createTransport({ url: smtpUrl, ...TIMEOUTS });
    transports.set(smtpUrl, transport);
  }
  return transport;
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
 * The one place that decides how a confirmation or reset reaches the user: by mail through
 * SMTP_URL when it is set, else as a webhook event to the application (notifyApplication), which
 * sends its own mail. Never throws: a failure is logged (without the token) and the caller's
 * answer is already sent or does not depend on it.
 */
export async function sendAccountMail(
  deps: Deps,
  app: Pick<Application, 'id' | 'name' | 'publicUrl' | 'mailTemplates'>,
  user: MailRecipient,
  kind: MailKind,
  token: string,
  expiresAt: Date,
): Promise<void> {
  const { smtpUrl, mailFrom } = deps.config;
  const context = { app: app.name, uid: user.uid, mail: kind };
  if (!smtpUrl) {
    await notifyApplication(deps, app, ACCOUNT_EVENTS[kind], {
      uid: user.uid,
      username: user.username,
      email: user.email,
      token,
      expires_at: expiresAt.toISOString(),
    });
    return;
  }
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
    username: user.username,
    app: app.name,
  });
  try {
    await transportFor(smtpUrl).sendMail({ from: mailFrom, to: user.email, subject, text });
    deps.logger.info(context, 'account mail sent');
  } catch (error) {
    // The error's message and code only: nodemailer may attach the message (and so the link).
    const { message, code } = error as { message?: string; code?: string };
    deps.logger.warn({ ...context, error: { message, code }, smtp: redactedSmtpUrl(smtpUrl) }, 'account mail not sent');
  }
}

/**
 * Hands the event to the application's webhooks. MERGE POINT: the webhooks branch exports
 * `enqueueEvent(deps, transaction, app, type, data)` from src/services/webhook-events.service.ts;
 * this body becomes `await enqueueEvent(deps, undefined, app, type, data)` (called after the
 * answer, outside any transaction). Until then it only logs that no SMTP server is configured
 * (never the token).
 */
export async function notifyApplication(
  deps: Deps,
  app: Pick<Application, 'id' | 'name'>,
  type: (typeof ACCOUNT_EVENTS)[MailKind],
  data: { uid: string; username: string; email: string | null; token: string; expires_at: string },
): Promise<void> {
  deps.logger.info(
    { app: app.name, event: type, uid: data.uid },
    'no SMTP configured: the event goes to the application',
  );
  return Promise.resolve();
}
