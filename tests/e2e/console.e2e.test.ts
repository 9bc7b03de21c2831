import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { Group, Org, Session, User } from '../../src/db/models';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { decodeClaimsForTest } from '../helpers/claims';
import { createTestContext, type TestContext } from '../helpers/context';
import { GOOD_PASSWORD, uniqueName } from '../helpers/factories';
import { closeServer, launchBrowser, listen, screenshot, watchProblems } from './browser';

jest.setTimeout(60_000);

/** What the page functions below touch; the server's type check carries no DOM library. */
interface PageStorage {
  readonly length: number;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
declare const window: { localStorage: PageStorage; sessionStorage: PageStorage; innerWidth: number };
declare const document: { documentElement: { scrollWidth: number } };

let ctx: TestContext;
let server: Server;
let baseUrl: string;
let browser: Browser;
let adminName: string;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ server, url: baseUrl } = await listen(ctx.app));
  adminName = uniqueName('admin');
  await ensureAdminAccount(adminName, GOOD_PASSWORD, ctx.config);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  if (server) await closeServer(server);
  await ctx?.close();
});

async function logIn(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/admin/`);
  await page.getByLabel('Username').fill(adminName);
  await page.getByLabel('Password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
}

const postJson = (path: string, body: unknown) =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the admin console in Chromium', () => {
  it('logs in, creates an application and a user, gives a group, revokes sessions, deletes the user, logs out', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);

    // Log in, after a wrong password shown next to the form.
    await page.goto(`${baseUrl}/admin/`);
    await page.getByLabel('Username').fill(adminName);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectAlert(page, 'The username or password is incorrect.');
    await screenshot(page, '01-login-error');
    await page.getByLabel('Password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
    expect(await page.evaluate(() => Object.keys(window.sessionStorage))).toEqual(['jawth.console.session']);
    await page.getByText('No applications yet').waitFor();

    // Create an application: the secret is shown once, with a warning and a copy button.
    const appName = uniqueName('shop');
    await page.getByLabel('Name').fill('Not Valid!');
    await page.getByRole('button', { name: 'Create application' }).click();
    await expectAlert(page, 'name: must be 1-63 lowercase letters');
    await page.getByLabel('Name').fill(appName);
    await page.getByLabel('CORS origins (one per line, optional)').fill('https://shop.example.com');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByText('it is shown only once').waitFor();
    const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'Copy secret' }).waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByText(secret).count()).toBe(0);
    await page.getByLabel('Search applications').fill(appName.slice(0, 6));
    await page.getByRole('link', { name: appName }).waitFor();
    await screenshot(page, '02-applications');

    // Create a user in it.
    await page.getByRole('link', { name: appName }).click();
    await page.getByText('No users yet').waitFor();
    const username = uniqueName('carol');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText(`User “${username}” created.`).waitFor();
    await page.getByText('1–1 of 1').waitFor();

    // Make a group in the Groups tab, then give it and a role to the user.
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByLabel('New group name').fill('staff');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('button', { name: 'Delete staff…' }).waitFor();
    const app = await User.findOne({ where: { username } });
    expect(await Group.count({ where: { name: 'staff', applicationId: app?.applicationId } })).toBe(1);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByText('1–1 of 1').waitFor();
    await page.getByRole('button', { name: `Manage ${username}` }).click();
    await page.getByLabel('Groups (comma-separated)', { exact: true }).fill('staff, nosuch');
    await page.getByRole('button', { name: 'Save role, groups and orgs' }).click();
    await expectAlert(page, 'Unknown groups: nosuch.');
    await page.getByLabel('Groups (comma-separated)', { exact: true }).fill('staff');
    await page.getByLabel('Role', { exact: true }).fill('editor');
    await page.getByRole('button', { name: 'Save role, groups and orgs' }).click();
    await page.getByText(`Saved role, groups and orgs of ${username}.`).waitFor();
    await page.locator('dd', { hasText: 'staff' }).waitFor();
    await screenshot(page, '03-users');

    // Set a password (a common one is refused, in words), disable and enable the account.
    const newPassword = 'staple-orbit-lantern-42';
    await page.getByLabel('New password').fill('password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expectAlert(page, 'common');
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText(`Password of ${username} set; their sessions were revoked.`).waitFor();
    await page.getByRole('button', { name: `Disable ${username}` }).click();
    await page.getByText('disabled', { exact: true }).waitFor();
    expect((await postJson(`/${appName}/login`, { username, password: newPassword })).status).toBe(401);
    await page.getByRole('button', { name: `Enable ${username}` }).click();
    await page.getByText('active', { exact: true }).waitFor();

    // The user logs in to the application outside the browser.
    const login = await postJson(`/${appName}/login`, { username, password: newPassword });
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as { token: string };
    expect(decodeClaimsForTest(tokens.token)).toMatchObject({ username, role: 'editor', groups: ['staff'] });

    // Revoke their sessions: the login token no longer works on jawth's endpoints.
    ctx.clock.advance(1);
    await page.getByRole('button', { name: 'Revoke sessions' }).click();
    await page.getByText(`Every session of ${username} was revoked.`).waitFor();
    const user = await User.findOne({ where: { username } });
    expect(await Session.count({ where: { userId: user?.id, revokedAt: null } })).toBe(0);
    const change = await fetch(`${baseUrl}/${appName}/${username}/change_password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', auth: `jwt ${tokens.token}` },
      body: JSON.stringify({ password: 'another-horse-battery-8', repeated_password: 'another-horse-battery-8' }),
    });
    expect(change.status).toBe(401);

    // Delete them, after a confirmation.
    await page.getByRole('button', { name: `Delete ${username}…` }).click();
    await page.getByText(`Delete “${username}”?`).waitFor();
    await page.getByRole('button', { name: `Delete ${username} now` }).click();
    await page.getByText('No users yet').waitFor();
    expect(await User.count({ where: { username } })).toBe(0);

    // Log out: the token is forgotten and refused by the server.
    const token = await page.evaluate(() => window.sessionStorage.getItem('jawth.console.session'));
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
    const old = JSON.parse(token as string) as { token: string };
    const refused = await fetch(`${baseUrl}/applications`, { headers: { Authorization: `Bearer ${old.token}` } });
    expect(refused.status).toBe(401);

    expect(problems).toEqual([]);
    await page.close();
  });

  it('edits lifetimes and CORS origins, rotates the secret, and deletes an application naming its users', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    await logIn(page);
    const appName = uniqueName('blog');
    await page.getByLabel('Name').fill(appName);
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('link', { name: appName }).click();
    for (const name of ['u1', 'u2']) {
      await page.getByLabel('Username').fill(name);
      await page.getByLabel('Password', { exact: true }).fill(GOOD_PASSWORD);
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByText(`User “${name}” created.`).waitFor();
    }
    await page.getByRole('link', { name: 'Settings' }).click();

    await page.getByLabel('Login token lifetime (access_ttl)').fill('1h');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expectAlert(page, 'access_ttl may not exceed access_ttl_max.');
    await page.getByLabel('Login token lifetime (access_ttl)').fill('5m');
    await page.getByLabel('CORS origins (one per line)').fill('https://blog.example.com\nhttps://admin.example.com');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await fetchAsAdmin(page, `/applications/${appName}`);
    expect(saved).toMatchObject({
      access_ttl: '5m',
      cors_origins: ['https://blog.example.com', 'https://admin.example.com'],
    });

    await page.getByLabel('Grace period').fill('10m');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(`New secret for "${appName}"`).waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByText('Current secret version: v2').waitFor();
    await screenshot(page, '04-settings');

    await page.getByRole('button', { name: `Delete ${appName}…` }).click();
    await page.getByText(`also deletes its 2 users`).waitFor();
    await page.getByRole('button', { name: `Delete ${appName} and 2 users` }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: appName }).count()).toBe(0);

    await page.getByRole('link', { name: 'Groups' }).waitFor({ state: 'detached' });
    // Orgs: create one, see it stored, delete it after the confirmation.
    const org = uniqueName('org');
    await page.getByRole('link', { name: 'Orgs' }).click();
    await page.getByLabel('New org name').fill(org);
    await page.getByRole('button', { name: 'Create org' }).click();
    await page.getByRole('button', { name: `Delete ${org}…` }).click();
    expect(await Org.count({ where: { name: org } })).toBe(1);
    await page.getByRole('button', { name: `Delete ${org} now` }).click();
    await page.getByRole('button', { name: `Delete ${org}…` }).waitFor({ state: 'detached' });
    expect(await Org.count({ where: { name: org } })).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('when the session ends on the server, then the next action returns to the login form with a message', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page);
    const stored = await page.evaluate(() => window.sessionStorage.getItem('jawth.console.session'));
    await fetch(`${baseUrl}/admin/logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${(JSON.parse(stored as string) as { token: string }).token}` },
    });

    await page.getByLabel('Name').fill(uniqueName('late'));
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByText('Your session has expired or was ended. Log in again to continue.').waitFor();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
    await screenshot(page, '00-login-session-expired');

    // A tab reopened after its session's lifetime shows the same message.
    await logIn(page);
    await page.evaluate(() => {
      const key = 'jawth.console.session';
      const session = JSON.parse(window.sessionStorage.getItem(key) as string) as { expiresAt: number };
      window.sessionStorage.setItem(key, JSON.stringify({ ...session, expiresAt: 1 }));
    });
    await page.reload();
    await page.getByText('Your session has expired or was ended. Log in again to continue.').waitFor();
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
    await page.close();
  });

  it('is usable at 390px width with the keyboard alone', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${baseUrl}/admin/`);
    // The login form takes the focus by itself: no pointer needed.
    await page.locator('input[name="username"]:focus').waitFor();
    await page.keyboard.type(adminName);
    await page.keyboard.press('Tab');
    await page.keyboard.type(GOOD_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    await screenshot(page, '05-applications-390px');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });
});

async function expectAlert(page: Page, text: string): Promise<void> {
  await page.getByRole('alert').filter({ hasText: text }).first().waitFor();
}

/** Reads an admin resource with the page's own session, as the console would. */
async function fetchAsAdmin(page: Page, path: string): Promise<unknown> {
  return page.evaluate(async (p) => {
    const session = JSON.parse(window.sessionStorage.getItem('jawth.console.session') ?? '{}') as { token: string };
    const res = await fetch(p, { headers: { Authorization: `Bearer ${session.token}` } });
    return res.json() as Promise<unknown>;
  }, path);
}
