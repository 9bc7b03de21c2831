import request from 'supertest';
import type { Express } from 'express';
import { admin, type TestContext } from '../helpers/context';
import { createApplication, GOOD_PASSWORD, uniqueName } from '../helpers/factories';
import { mailingServer } from '../helpers/mailing-server';
import { linkIn, type TestSmtp } from '../helpers/smtp';

// The confirmation mail goes to an address nobody has proved to own: it carries no text the
// person signing up chose (no username), whatever the application's template says.
let ctx: TestContext;
let smtp: TestSmtp;
let app: Express;
const server = mailingServer();
const PUBLIC_URL = 'https://shop.example.com/account';
const STRANGER_TEXT = 'Your account is locked - call +1 555 0100';

beforeAll(async () => ({ ctx, smtp, app } = await server.start()));
afterAll(() => server.stop());

const email = () => `${uniqueName('x')}@example.com`;
const signup = (name: string, address: string) =>
  request(app).post(`/${name}/signup`).send({ username: STRANGER_TEXT, password: GOOD_PASSWORD, email: address });

describe('the confirmation mail', () => {
  it('carries nothing of the username chosen, with the default template', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const address = email();

    expect((await signup(name, address)).status).toBe(201);
    const mail = await smtp.mailTo(address);

    expect(linkIn(mail).link.startsWith(`${PUBLIC_URL}#token=`)).toBe(true);
    expect(`${mail.subject ?? ''}\n${mail.text ?? ''}`).not.toContain('555 0100');
  });

  it('writes {{username}} as nothing in a confirmation template stored before the rule', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const stored = { confirm: { subject: 'Welcome {{username}}', text: 'Hi {{username}}: {{link}}' } };
    await ctx.db.query('UPDATE applications SET mail_templates = $1 WHERE name = $2', {
      bind: [JSON.stringify(stored), name],
    });
    const address = email();

    await signup(name, address);
    const mail = await smtp.mailTo(address);

    expect(mail.subject).toBe('Welcome');
    expect(mail.text?.trim()).toBe(`Hi : ${linkIn(mail).link}`);
  });
});

describe('saving a confirmation template', () => {
  it('refuses {{username}} in its subject or text (400), and keeps the stored templates', async () => {
    const { name } = await createApplication(app, { signup: 'confirm', public_url: PUBLIC_URL });
    const bad = { confirm: { subject: 'Hi {{username}}', text: 'Hello {{username}}: {{link}}' } };

    const created = await admin(app, 'post', '/applications', { name: uniqueName('app'), mail_templates: bad });
    const patched = await admin(app, 'patch', `/applications/${name}`, { mail_templates: bad });
    const reset = await admin(app, 'patch', `/applications/${name}`, {
      mail_templates: { recover: { subject: 'Reset, {{username}}', text: '{{username}}: {{link}}' } },
    });

    for (const res of [created, patched]) {
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'mail_templates.confirm.subject',
        'mail_templates.confirm.text',
      ]);
    }
    // The reset mail goes to an address its user proved: {{username}} stays allowed there.
    expect(reset.status).toBe(200);
    expect(reset.body.mail_templates.confirm.text).not.toContain('{{username}}');
  });
});
