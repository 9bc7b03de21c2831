import type { Application } from '../api/types';

export type MailKind = keyof Application['mail_templates'];
export type MailTemplate = Application['mail_templates'][MailKind];

/** The sample user of the preview. */
export const SAMPLE_USER = 'alice';
const SAMPLE_TOKEN = 'q8R2…token…Xc';

/**
 * A mail as jawth writes it (src/services/mail-templates.ts: one pass over {{link}}, {{username}}
 * and {{app}}, the link being public_url#token=…), for a sample user. Text only: React shows it as
 * text, never as HTML.
 */
export function previewMail(template: MailTemplate, app: string, publicUrl: string, kind: MailKind): MailTemplate {
  const link = `${publicUrl || 'https://(public URL)'}#token=${SAMPLE_TOKEN}`;
  // The confirmation mail writes no username: its address is not proved yet.
  const values: Record<string, string> = { link, username: kind === 'confirm' ? '' : SAMPLE_USER, app };
  const fill = (text: string) => text.replace(/\{\{(link|username|app)\}\}/g, (_, key: string) => values[key]);
  return { subject: fill(template.subject), text: fill(template.text) };
}
