import {
  accountLink,
  DEFAULT_MAIL_TEMPLATES,
  renderTemplate,
  type MailKind,
  type MailTemplate,
} from '../../src/services/mail-templates';
import { previewMail } from '../../web/src/pages/mail-preview';

describe('mail templates', () => {
  it('replace {{link}}, {{username}} and {{app}} in one pass: a value holding a placeholder stays as it is', () => {
    const template = { subject: '{{app}}: {{username}}', text: '{{username}} {{link}} {{other}} {{app}}' };
    const rendered = renderTemplate(template, { link: 'L', username: '{{app}}<b>', app: 'shop' });
    expect(rendered).toEqual({ subject: 'shop: {{app}}<b>', text: '{{app}}<b> L {{other}} shop' });
  });

  it('link to public_url with the token in the fragment', () => {
    expect(accountLink('https://shop.example.com/account?x=1', 'abc')).toBe(
      'https://shop.example.com/account?x=1#token=abc',
    );
  });

  it("the console's preview renders as the server does", () => {
    for (const [kind, template] of Object.entries(DEFAULT_MAIL_TEMPLATES) as [MailKind, MailTemplate][]) {
      const preview = previewMail(template, 'shop', 'https://shop.example.com/a', kind);
      const link = /https:\S+/.exec(preview.text)?.[0] as string;
      const username = kind === 'confirm' ? '' : 'alice';
      expect(preview).toEqual(renderTemplate(template, { link, username, app: 'shop' }));
      expect(link.startsWith('https://shop.example.com/a#token=')).toBe(true);
    }
  });

  it('the default confirmation mail names no username: its address is not proved yet', () => {
    expect(DEFAULT_MAIL_TEMPLATES.confirm.subject + DEFAULT_MAIL_TEMPLATES.confirm.text).not.toContain('{{username}}');
  });
});
