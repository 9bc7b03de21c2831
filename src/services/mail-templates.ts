import type { Application } from '../db/application.repository';

/** A text mail's template: `{{link}}`, `{{username}}` and `{{app}}` are replaced, nothing else. */
export interface MailTemplate {
  subject: string;
  text: string;
}

export type MailKind = 'confirm' | 'recover';

/**
 * The confirmation mail goes to an address nobody has proved to own: it carries no text the
 * requester chose, so its `{{username}}` is written as nothing (a template stored before this rule,
 * or imported; the API refuses one that uses it). The reset mail goes to a proved address.
 */
export const UNPROVED_ADDRESS: Record<MailKind, boolean> = { confirm: true, recover: false };
export type MailTemplates = Record<MailKind, MailTemplate>;

export const DEFAULT_MAIL_TEMPLATES: MailTemplates = {
  confirm: {
    subject: 'Confirm your account on {{app}}',
    text: 'Hello,\n\nto confirm your account on {{app}}, open this link:\n\n{{link}}\n\nThe link works once, within 24 hours. If you did not sign up, ignore this message.\n',
  },
  recover: {
    subject: 'Reset your password on {{app}}',
    text: 'Hello {{username}},\n\nto choose a new password on {{app}}, open this link:\n\n{{link}}\n\nThe link works once, within 30 minutes. If you did not ask for it, ignore this message: your password stays as it is.\n',
  },
};

/**
 * The notice to an address a sign-up named while a confirmed account holds it or the username
 * asked for: no new account was made. Fixed text with `{{app}}` only, nothing the requester chose.
 */
export const SIGNUP_NOTICE: MailTemplate = {
  subject: 'Sign-up attempt on {{app}}',
  text: 'Someone, perhaps you, tried to sign up on {{app}} with this e-mail address. An account with this address or with the username chosen exists already, so no new account was made.\n\nIf it was you: log in, recover your password, or sign up again with another username. If it was not, ignore this message; nothing changed.\n',
};

/** The application's templates: the stored ones over the defaults. */
export function mailTemplatesOf(app: Pick<Application, 'mailTemplates'>): MailTemplates {
  return { ...DEFAULT_MAIL_TEMPLATES, ...(app.mailTemplates as Partial<MailTemplates> | null) };
}

/**
 * Replaces the placeholders in one pass, so that a value holding `{{link}}` (a username) is never
 * expanded in turn. The mail is text only: values are written as they are, nothing is HTML.
 */
export function renderTemplate(
  template: MailTemplate,
  values: Record<'link' | 'username' | 'app', string>,
): MailTemplate {
  const fill = (text: string) =>
    text.replace(/\{\{(link|username|app)\}\}/g, (_, key: keyof typeof values) => values[key]);
  return { subject: fill(template.subject), text: fill(template.text) };
}

/** The link of a mail: the application's page with the token in the fragment (never sent to its server). */
export function accountLink(publicUrl: string, token: string): string {
  return `${publicUrl}#token=${token}`;
}
