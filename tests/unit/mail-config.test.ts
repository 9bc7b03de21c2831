import { ConfigError, parseConfig } from '../../src/config/config';
import { redactedSmtpUrl } from '../../src/services/mail.service';

const KEYS = { SECRET_KEY: 'k'.repeat(32), JAWTH_KEY: 'a-master-password' };

describe('SMTP_URL and MAIL_FROM', () => {
  it('accept smtp:// and smtps:// URLs; unset, no mail is sent and MAIL_FROM has a default', () => {
    expect(parseConfig({ ...KEYS, SMTP_URL: 'smtp://u:p@mail.example.com:587' }).smtpUrl).toBe(
      'smtp://u:p@mail.example.com:587',
    );
    expect(
      parseConfig({ ...KEYS, SMTP_URL: 'smtps://u:p@mail.example.com:465', MAIL_FROM: 'Shop <a@b.c>' }),
    ).toMatchObject({
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      mailFrom: 'Shop <a@b.c>',
    });
    expect(parseConfig(KEYS)).toMatchObject({ smtpUrl: undefined, mailFrom: 'jawth <no-reply@localhost>' });
  });

  it('refuse another scheme without repeating the URL (its password) in the error', () => {
    let error: unknown;
    try {
      parseConfig({ ...KEYS, SMTP_URL: 'http://user:hunter2-pass@mail.example.com' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/^SMTP_URL must be a URL like smtp:/);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('are logged only with the password replaced', () => {
    expect(redactedSmtpUrl('smtps://mailer:hunter2-pass@mail.example.com:465')).toBe(
      'smtps://mailer:***@mail.example.com:465',
    );
    expect(redactedSmtpUrl('smtp://mail.example.com:25')).toBe('smtp://mail.example.com:25');
  });
});
