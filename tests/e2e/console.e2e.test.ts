import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { startWebhookWorker, type WebhookWorker } from '../../src/workers/webhook.worker';
import { ensureAdminAccount } from '../../src/services/admin-account.service';
import { createSetupToken } from '../../src/services/admin-setup.service';
import { totpCode } from '../../src/crypto/totp';
import { decodeClaimsForTest } from '../helpers/claims';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, uniqueName } from '../helpers/factories';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
import { closeServer, launchBrowser, listen, screenshot, watchProblems } from './browser';

jest.setTimeout(60_000);

/** What the page functions below touch; the server's type check carries no DOM library. */
interface PageStorage {
  readonly length: number;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
declare const window: { localStorage: PageStorage; sessionStorage: PageStorage; innerWidth: number };
declare const document: {
  documentElement: { scrollWidth: number };
  activeElement: { textContent: string | null } | null;
};

let ctx: TestContext;
let server: Server;
let baseUrl: string;
let browser: Browser;
let adminName: string;
let webhooks: WebhookWorker;
let receiver: Receiver;

beforeAll(async () => {
  // The webhook receiver runs on this machine: allowed here, refused by default.
  ctx = await createTestContext({ webhookAllowPrivate: true });
  ({ server, url: baseUrl } = await listen(ctx.app));
  webhooks = startWebhookWorker(ctx.deps, { pollMs: 200 });
  receiver = await startReceiver();
  adminName = uniqueName('admin');
  await ensureAdminAccount(adminName, GOOD_PASSWORD, ctx.config, ctx.deps);
  browser = await launchBrowser();
});
afterAll(async () => {
  await webhooks?.stop();
  await receiver?.close();
  await browser?.close();
  if (server) await closeServer(server);
  await ctx?.close();
});

/** Logs in at the applications' address: the login form keeps it, so the list shows after it. */
async function logIn(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/admin/apps`);
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
    // The overview comes first; the applications are one link away.
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
    expect(await page.evaluate(() => Object.keys(window.sessionStorage))).toEqual(['jawth.console.session']);
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    await page.getByText('No applications yet').waitFor();

    // Create an application: the secret is shown with where it goes, how to see it again, and a copy button.
    const appName = uniqueName('shop');
    await page.getByLabel('Name').fill('Not Valid!');
    await page.getByRole('button', { name: 'Create application' }).click();
    await expectAlert(page, 'The name must be 1-63 lowercase letters');
    await page.getByLabel('Name').fill(appName);
    await page.getByLabel('CORS origins (one per line, optional)').fill('https://shop.example.com');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByText(`jawth apps show ${appName} --include-secret`).waitFor();
    expect(await page.getByText('shown only once').count()).toBe(0);
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

    // Make a group in the Groups tab (it has no members yet), and an org through the API.
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.getByLabel('New group name').fill('staff');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('button', { name: 'Delete staff…' }).waitFor();
    await page.locator('li', { hasText: 'staff' }).getByText('No members.').waitFor();
    const app = await ctx.models.User.findOne({ where: { username } });
    expect(await ctx.models.Group.count({ where: { name: 'staff', applicationId: app?.applicationId } })).toBe(1);
    const org = uniqueName('org');
    expect((await admin(ctx.app, 'post', '/orgs', { name: org })).status).toBe(201);

    // Give the user the group and the org by picking them (no names to type), and a role.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByText('1–1 of 1').waitFor();
    await page.getByRole('button', { name: `Manage ${username}` }).click();
    const editor = page.getByRole('form', { name: `Role, e-mail, groups and orgs of ${username}` });
    const groupChoices = editor.getByRole('group', { name: 'Groups', exact: true });
    expect(await groupChoices.getByRole('checkbox').count()).toBe(1);
    await groupChoices.getByRole('checkbox', { name: 'staff', exact: true }).check();
    await editor.getByRole('group', { name: 'Orgs', exact: true }).getByRole('checkbox', { name: org }).check();
    await page.getByLabel('Role', { exact: true }).fill('editor');
    await editor.getByLabel('E-mail (optional, for password recovery)').fill(`${username}@example.com`);
    await screenshot(page, '03-users-pick-groups');
    await page.getByRole('button', { name: 'Save role, e-mail, groups and orgs' }).click();
    await page.getByText(`Saved role, e-mail, groups and orgs of ${username}.`).waitFor();
    await page.locator('dd', { hasText: 'staff' }).waitFor();
    await page.locator('dd', { hasText: org }).waitFor();
    expect(await fetchAsAdmin(page, `/${appName}/users/${username}`)).toMatchObject({
      groups: ['staff'],
      orgs: [org],
      email: `${username}@example.com`,
    });
    await screenshot(page, '03-users');

    // The group and the org list their member.
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.locator('li', { hasText: 'staff' }).getByText(`1 member: ${username}`).waitFor();
    await page.getByRole('link', { name: 'Orgs', exact: true }).click();
    await page.locator('li', { hasText: org }).getByText(`1 member: ${username} (${appName})`).waitFor();
    await page.goBack();
    await page.goBack();
    await page.getByRole('button', { name: `Manage ${username}` }).click();

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
    expect(decodeClaimsForTest(tokens.token)).toMatchObject({
      username,
      role: 'editor',
      groups: ['staff'],
      orgs: [org],
    });

    // Revoke their sessions: the login token no longer works on jawth's endpoints.
    ctx.clock.advance(1);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('heading', { name: 'Sessions (1)' }).waitFor();
    await page.getByRole('button', { name: 'Revoke all sessions…' }).click();
    await page.getByText(`Revoke every session of “${username}”?`).waitFor();
    await page.getByRole('button', { name: `Revoke all sessions of ${username} now` }).click();
    await page.getByText(`Every session of ${username} was revoked.`).waitFor();
    await page.getByText('No active sessions.').waitFor();
    const user = await ctx.models.User.findOne({ where: { username } });
    expect(await ctx.models.Session.count({ where: { userId: user?.id, revokedAt: null } })).toBe(0);
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
    expect(await ctx.models.User.count({ where: { username } })).toBe(0);

    // Log out: the token is forgotten and refused by the server.
    const token = await page.evaluate(() => window.sessionStorage.getItem('jawth.console.session'));
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
    const old = JSON.parse(token as string) as { token: string };
    const refused = await fetch(`${baseUrl}/applications`, { headers: { Authorization: `Bearer ${old.token}` } });
    expect(refused.status).toBe(401);

    // The audit log shows that flow: filtered by the application, then by action and time.
    await logIn(page);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('table').waitFor();
    await page.getByLabel('Application', { exact: true }).fill(appName);
    await applyFilters(page);
    await page.getByRole('table', { name: 'Audit entries matching the filters, newest first' }).waitFor();
    const rows = page.getByRole('table').locator('tbody tr');
    const cells = async () =>
      (await rows.evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ''))).map((text) => text.trim());
    const row = (action: string, target: string, outcome: string) =>
      rows.filter({ has: page.getByRole('cell', { name: action, exact: true }) }).filter({
        has: page.getByRole('cell', { name: target, exact: true }),
        hasText: outcome,
      });
    // Actions in words, derived from their codes.
    for (const [action, target, outcome] of [
      ['Application: create', appName, 'success'],
      ['User: create', username, 'success'],
      ['User: update', username, 'success'],
      ['Login', username, 'failure'],
      ['Login', username, 'success'],
      ['User: revoke sessions', username, 'success'],
      ['User: delete', username, 'success'],
    ]) {
      expect(await row(action, target, outcome).count()).toBeGreaterThanOrEqual(1);
    }
    expect(await page.getByRole('cell', { name: 'User: revoke sessions' }).first().getAttribute('title')).toBe(
      'user.revoke_sessions',
    );
    expect(await page.getByRole('cell', { name: 'user.revoke_sessions', exact: true }).count()).toBe(0);
    const actor = row('Application: create', appName, 'success').getByRole('cell', {
      name: `admin:${adminName}`,
      exact: true,
    });
    expect(await actor.count()).toBe(1);
    // Only this application's entries, newest first: the deletion comes before the creation.
    const all = await cells();
    expect(all.every((text) => text.includes(appName))).toBe(true);
    expect(all.findIndex((text) => text.includes('User: delete'))).toBeLessThan(
      all.findIndex((text) => text.includes('Application: create')),
    );
    const total = all.length;
    await page.getByText(`1–${total} of ${total} entries`).waitFor();
    await screenshot(page, '06-audit');

    // The user's two logins alone, picked in words from the server's actions: one refused while disabled, one accepted.
    const actionFilter = page.getByLabel('Action', { exact: true });
    expect(await actionFilter.locator('option').allTextContents()).toEqual(
      expect.arrayContaining(['Any action', 'Login', 'User: delete', 'Application: create']),
    );
    await actionFilter.selectOption({ label: 'Login' });
    expect(await actionFilter.inputValue()).toBe('login');
    await applyFilters(page);
    await page.getByText('1–2 of 2 entries').waitFor();
    expect(await cells()).toEqual([
      expect.stringMatching(new RegExp(`Login${appName}${username}.*success$`)),
      expect.stringMatching(new RegExp(`Login${appName}${username}.*failure$`)),
    ]);

    // Since: a time before the flow keeps them, a time after it leaves none.
    const local = (at: number) =>
      page.evaluate((ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19), at);
    await page.getByLabel(/^Since/).fill(await local(ctx.clock.now().getTime() - 3_600_000));
    await applyFilters(page);
    await page.getByText('1–2 of 2 entries').waitFor();
    await page.getByLabel(/^Since/).fill(await local(ctx.clock.now().getTime() + 3_600_000));
    await applyFilters(page);
    await page.getByText('No entries match these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('table', { name: 'Audit entries, newest first' }).waitFor();
    expect(await page.getByLabel('Application', { exact: true }).inputValue()).toBe('');
    expect(await actionFilter.inputValue()).toBe('');

    // The overview of the application tells the walk: one login, one refused (while disabled), no user or session left.
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByLabel('Application', { exact: true }).selectOption(appName);
    const walk = { users: 0, active_sessions: 0, logins: 1, failures: 1, lockouts: 0 };
    expect(await overviewNumbers(page, `in ${appName}`)).toEqual({ ...walk, hourly: walk, daily: walk });
    expect(await page.getByText(`No lockouts, reused refresh tokens or secret reads in ${appName}.`).count()).toBe(1);
    await screenshot(page, '13-overview-walk');

    expect(problems).toEqual([]);
    await page.close();
  });

  it('the overview shows the logins, failures, lockout, users, live session and security events that happened, at 1280 and 390px', async () => {
    const app = await createApplication(ctx.app);
    const [alice, bob] = [await createUser(ctx.app, app.name), await createUser(ctx.app, app.name)];
    const loginAs = (username: string, password: string) => postJson(`/${app.name}/login`, { username, password });
    // Alice logs in twice; bob fails LOGIN_MAX_FAILURES times and is locked out once.
    const first = (await (await loginAs(alice.username, alice.password)).json()) as { refresh_token: string };
    expect((await loginAs(alice.username, alice.password)).status).toBe(200);
    for (let i = 0; i < ctx.config.loginMaxFailures; i++)
      expect((await loginAs(bob.username, 'nope-nope')).status).toBe(401);
    expect((await loginAs(bob.username, bob.password)).status).toBe(429);
    // The secret is read; alice's first refresh token is rotated, then comes back too late: its family ends.
    expect((await admin(ctx.app, 'get', `/applications/${app.name}?include_secret=true`)).status).toBe(200);
    expect((await postJson(`/${app.name}/refresh`, { refresh_token: first.refresh_token })).status).toBe(200);
    ctx.clock.advance(ctx.config.refreshReuseGrace + 1);
    expect((await postJson(`/${app.name}/refresh`, { refresh_token: first.refresh_token })).status).toBe(401);
    const expected = { users: 2, active_sessions: 1, logins: 2, failures: ctx.config.loginMaxFailures, lockouts: 1 };
    const api = (await admin(ctx.app, 'get', `/stats?app=${app.name}`)).body as { users: number };
    expect(api).toMatchObject({ users: 2, active_sessions: 1 });

    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const problems = watchProblems(page);
      await logIn(page);
      await page.goto(`${baseUrl}/admin/?app=${app.name}`);
      expect(await overviewNumbers(page, `in ${app.name}`)).toEqual({ ...expected, hourly: expected, daily: expected });
      const chart = page.getByRole('img', {
        name: `Logins, failures and lockouts per hour, last 24 hours, in ${app.name}`,
      });
      expect(await chart.getAttribute('aria-describedby')).toBeTruthy();
      const description = await page.locator(`[id="${await chart.getAttribute('aria-describedby')}"]`).textContent();
      expect(description).toContain(`2 logins, ${ctx.config.loginMaxFailures} failures, 1 lockout.`);
      const events = page.getByRole('list', { name: 'Recent security events' }).getByRole('listitem');
      expect(await events.locator('strong').allTextContents()).toEqual([
        'Refresh token reused',
        'Secret read',
        'Lockout',
      ]);
      await events.filter({ hasText: `1 refused login attempt for ${bob.username}` }).waitFor();
      await events.filter({ hasText: `A spent refresh token for ${alice.username} came back` }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, width === 1280 ? '14-overview-app' : '15-overview-app-390px');

      // Every application together: the same numbers as the API's.
      await page.getByLabel('Application', { exact: true }).selectOption({ label: 'All applications' });
      const overall = (await admin(ctx.app, 'get', '/stats')).body as StatsAnswer;
      const total = (key: keyof Counts) => overall.hourly.reduce((sum, bucket) => sum + bucket[key], 0);
      const day = (key: keyof Counts) => overall.daily.reduce((sum, bucket) => sum + bucket[key], 0);
      const counts = (of: (key: keyof Counts) => number) => ({
        logins: of('logins'),
        failures: of('failures'),
        lockouts: of('lockouts'),
      });
      expect(await overviewNumbers(page, 'in all applications')).toEqual({
        users: overall.users,
        active_sessions: overall.active_sessions,
        ...counts(total),
        hourly: { users: overall.users, active_sessions: overall.active_sessions, ...counts(total) },
        daily: { users: overall.users, active_sessions: overall.active_sessions, ...counts(day) },
      });
      if (width === 390) await screenshot(page, '16-overview-390px');
      expect(problems).toEqual([]);
      await page.close();
    }
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
    await expectAlert(page, 'The login token lifetime must not be longer than access_ttl_max');
    await page.getByLabel('Login token lifetime (access_ttl)').fill('5m');
    await page.getByLabel('CORS origins (one per line)').fill('https://blog.example.com\nhttps://admin.example.com');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await fetchAsAdmin(page, `/applications/${appName}`);
    expect(saved).toMatchObject({
      access_ttl: '5m',
      cors_origins: ['https://blog.example.com', 'https://admin.example.com'],
    });

    // Rotation asks first, naming what it breaks; Enter in the grace field rotates nothing.
    await page.getByLabel('Grace period').fill('10m');
    await page.getByLabel('Grace period').press('Enter');
    const rotateQuestion = page.getByRole('group', { name: /^Rotate the secret of/ });
    expect(await rotateQuestion.count()).toBe(0);
    expect(await fetchAsAdmin(page, `/applications/${appName}`)).toMatchObject({ secret_version: 1 });
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    await rotateQuestion.waitFor();
    expect(await rotateQuestion.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await rotateQuestion.textContent()).toContain('rejects them until it has the new secret');
    expect(await rotateQuestion.textContent()).toContain('for 10m');
    await page.keyboard.press('Escape');
    await rotateQuestion.waitFor({ state: 'detached' });
    expect(await fetchAsAdmin(page, `/applications/${appName}`)).toMatchObject({ secret_version: 1 });
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    await screenshot(page, '04-settings-rotate-confirm');
    await page.getByRole('button', { name: `Rotate the secret of ${appName} now` }).click();
    await page.getByText(`New secret for "${appName}"`).waitFor();
    expect(await fetchAsAdmin(page, `/applications/${appName}`)).toMatchObject({ secret_version: 2 });
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByText('Current secret version: v2').waitFor();
    await screenshot(page, '04-settings');

    // The application's own audit log, one link away, already filtered; Back returns to Settings.
    await page.getByRole('link', { name: `Audit log of ${appName}` }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    expect(await page.getByLabel('Application', { exact: true }).inputValue()).toBe(appName);
    await page.getByRole('table', { name: 'Audit entries matching the filters, newest first' }).waitFor();
    const actions = await page.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions.slice(0, 2)).toEqual(['Application: rotate secret', 'Application: update']);
    expect(actions).toContain('Application: create');
    await page.goBack();
    await page.getByText('Current secret version: v2').waitFor();

    await page.getByRole('button', { name: `Delete ${appName}…` }).click();
    await page.getByText(`also deletes its 2 users`).waitFor();
    await page.getByText('Tokens already issued keep verifying in your applications until they expire').waitFor();
    expect(await page.getByText('stop verifying at once').count()).toBe(0);
    await page.getByRole('button', { name: `Delete ${appName} and 2 users` }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: appName }).count()).toBe(0);

    await page.getByRole('link', { name: 'Groups' }).waitFor({ state: 'detached' });

    // Its address now shows a not-found page, without the tabs of an application.
    await page.goto(`${baseUrl}/admin/apps/${appName}/settings`);
    await page.getByRole('heading', { name: 'Application not found', level: 1 }).waitFor();
    await page.getByText(`There is no application named “${appName}”`).waitFor();
    expect(await page.getByRole('navigation', { name: 'Application sections' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Rotate secret/ }).count()).toBe(0);
    await screenshot(page, '12-application-not-found');
    await page.getByRole('link', { name: 'See all applications' }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();

    // Orgs: create one, see it stored, delete it after the confirmation.
    const org = uniqueName('org');
    await page.getByRole('link', { name: 'Orgs', exact: true }).click();
    await page.getByLabel('New org name').fill(org);
    await page.getByRole('button', { name: 'Create org' }).click();
    await page.locator('li', { hasText: org }).getByText('No members.').waitFor();
    await page.getByRole('button', { name: `Delete ${org}…` }).click();
    expect(await ctx.models.Org.count({ where: { name: org } })).toBe(1);
    await page.getByRole('button', { name: `Delete ${org} now` }).click();
    // The "Delete …" button is gone as soon as the confirmation shows: wait for the org's card itself.
    await page.locator('li', { hasText: org }).waitFor({ state: 'detached' });
    expect(await ctx.models.Org.count({ where: { name: org } })).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('creates an application key shown once, which then works, and revokes it after a confirmation', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    const app = await createApplication(ctx.app);
    await logIn(page);
    await page.goto(`${baseUrl}/admin/apps/${app.name}/settings`);
    await page.getByRole('heading', { name: 'Application keys' }).waitFor();
    await page.getByText('No keys yet.').waitFor();

    const form = page.getByRole('form', { name: 'Create a key' });
    await form.getByLabel('Label').fill('backend');
    await form.getByRole('checkbox', { name: /^users:write/ }).check();
    await form.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('Key', { exact: true });
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^jawth_ak_[A-Za-z0-9_-]{43}$/);
    const usersOf = () =>
      fetch(`${baseUrl}/${app.name}/users`, { headers: { Authorization: `AppKey ${key}` } }).then((r) => r.status);
    expect(await usersOf()).toBe(200);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByLabel('Key', { exact: true }).count()).toBe(0);
    await page.getByRole('cell', { name: 'users:read, users:write' }).waitFor();
    await screenshot(page, '14-application-keys');

    await page.getByRole('button', { name: 'Revoke…' }).click();
    expect(await usersOf()).toBe(200);
    await page.getByRole('button', { name: 'Revoke “backend”' }).click();
    await page.getByText('Revoked the key “backend”.').waitFor();
    expect(await usersOf()).toBe(401);
    expect(await page.getByRole('cell', { name: 'backend' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('creates a webhook whose secret is shown once, sends it a test event the receiver verifies, and lists the delivery', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    const app = await createApplication(ctx.app);
    await logIn(page);
    await page.goto(`${baseUrl}/admin/apps/${app.name}/settings`);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No webhooks yet.').waitFor();

    const form = page.getByRole('form', { name: 'Create a webhook' });
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByRole('checkbox', { name: 'user.locked_out' }).check();
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const shown = page.getByLabel('Signing secret', { exact: true });
    await shown.waitFor();
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByLabel('Signing secret', { exact: true }).count()).toBe(0);
    await page.getByText('user.created, user.deleted, user.locked_out').waitFor();

    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText(/^Queued a test event \(msg_/).waitFor();
    await receiver.waitFor(1);
    const { headers, body } = receiver.received[receiver.received.length - 1];
    const event = new Webhook(secret).verify(body, headers as Record<string, string>) as {
      type: string;
      data: unknown;
    };
    expect(event.type).toBe('webhook.test');
    expect(event.data).toEqual({ app: app.name, webhook: expect.any(String) });
    // The list was read when the event was queued; read it again until it shows the delivery done.
    const deliveries = page.getByRole('region', { name: `Deliveries to ${receiver.url}` });
    while ((await deliveries.getByRole('cell', { name: /^delivered/ }).count()) === 0) {
      await deliveries.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(100);
    }
    await deliveries.getByText(/^200/).waitFor();
    await screenshot(page, '15-webhooks');

    await page.getByRole('button', { name: 'Delete…', exact: true }).click();
    await page.getByRole('button', { name: 'Delete webhook', exact: true }).click();
    await page.getByText(`Deleted the webhook to ${receiver.url}.`).waitFor();
    expect((await admin(ctx.app, 'get', `/applications/${app.name}/webhooks`)).body).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a webhook disabled by a 410 with its reason, turns it back on, and retries then replays its delivery', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    const app = await createApplication(ctx.app);
    const hooks = `/applications/${app.name}/webhooks`;
    const hook = (await admin(ctx.app, 'post', hooks, { url: receiver.url, events: ['user.created'] })).body as {
      id: string;
    };
    receiver.answer(410);
    await admin(ctx.app, 'post', `${hooks}/${hook.id}/test`);
    while (!(await admin(ctx.app, 'get', `${hooks}/${hook.id}`)).body.disabled) await page.waitForTimeout(100);
    await logIn(page);
    await page.goto(`${baseUrl}/admin/apps/${app.name}/settings`);

    const notice = page.getByRole('alert').filter({ hasText: 'Disabled' });
    await notice.getByText(/410 Gone/).waitFor();
    await page.getByRole('button', { name: 'Turn back on' }).click();
    await page.getByText(`Turned the webhook to ${receiver.url} back on.`).waitFor();
    expect(await notice.count()).toBe(0);
    expect((await admin(ctx.app, 'get', `${hooks}/${hook.id}`)).body.disabled).toBe(false);

    await page.getByRole('button', { name: 'Deliveries' }).click();
    const deliveries = page.getByRole('region', { name: `Deliveries to ${receiver.url}` });
    await deliveries.getByRole('cell', { name: /^failed/ }).waitFor();
    await deliveries.getByRole('button', { name: /^Retry webhook\.test/ }).click();
    await deliveries.getByText(/^Retry: webhook\.test \(msg_.*\) is pending\.$/).waitFor();
    while ((await deliveries.getByRole('cell', { name: /^delivered/ }).count()) === 0) {
      await deliveries.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(100);
    }
    await deliveries.getByRole('button', { name: /^Replay webhook\.test/ }).click();
    await deliveries.getByText(/^Replay: webhook\.test \(msg_.*\) is pending\.$/).waitFor();
    await screenshot(page, '16-webhook-queue');
    const [delivery] = (await admin(ctx.app, 'get', `${hooks}/${hook.id}/deliveries`)).body as { id: string }[];
    const ids = () => receiver.received.filter((r) => r.headers['webhook-id'] === delivery.id).length;
    while (ids() < 3) await page.waitForTimeout(100);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sets the sign-up mode, recovery and public URL, and previews a mail template live for a sample user', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    const app = await createApplication(ctx.app);
    await logIn(page);
    await page.goto(`${baseUrl}/admin/apps/${app.name}/settings`);
    const form = page.getByRole('form', { name: 'Sign-up and password recovery' });
    await form.getByLabel('Sign-up').selectOption('confirm');
    await form.getByLabel('Password recovery').selectOption('on');
    await form.getByLabel('Public URL (the page the mails link to)').fill('https://blog.example.com/account');
    const confirmMail = form.getByRole('group', { name: 'Confirmation mail (sign-up “confirm”)' });
    const resetMail = form.getByRole('group', { name: 'Password reset mail (recovery “on”)' });
    await confirmMail.getByLabel('Subject').fill('Welcome to {{app}}');
    await confirmMail.getByLabel('Text').fill('Hi, <b>confirm</b>: {{link}}');
    await resetMail.getByLabel('Subject').fill('Reset on {{app}}, {{username}}');

    const preview = confirmMail.getByRole('region', { name: 'Preview of the confirm mail for alice' });
    await preview.getByText(`Welcome to ${app.name}`).waitFor();
    // Text as it is, never HTML: the tags show.
    await preview.getByText('Hi, <b>confirm</b>: https://blog.example.com/account#token=').waitFor();
    // The reset mail (to a proved address) may name the user; the confirmation mail may not.
    const resetPreview = resetMail.getByRole('region', { name: 'Preview of the recover mail for alice' });
    await resetPreview.getByText(`Reset on ${app.name}, alice`).waitFor();
    await screenshot(page, '17-signup-settings');
    await form.getByRole('button', { name: 'Save sign-up and recovery' }).click();
    await page.getByText('Saved sign-up and recovery.').waitFor();

    expect(await fetchAsAdmin(page, `/applications/${app.name}`)).toMatchObject({
      signup: 'confirm',
      recovery: 'on',
      public_url: 'https://blog.example.com/account',
      mail_templates: {
        confirm: { subject: 'Welcome to {{app}}' },
        recover: { subject: 'Reset on {{app}}, {{username}}' },
      },
    });
    // A template without {{link}} is refused, and says which field.
    await confirmMail.getByLabel('Text').fill('No link here');
    await form.getByRole('button', { name: 'Save sign-up and recovery' }).click();
    await expectAlert(page, 'The confirmation mail’s text must contain {{link}}.');
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
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    await screenshot(page, '05-applications-390px');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // The audit log, by keyboard: its link, then Tabs past "Account" and "Log out" to the filters.
    await page.getByRole('link', { name: 'Audit log' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('table').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const actionFilter = page.getByLabel('Action', { exact: true });
    await page.locator('select:focus').waitFor();
    expect(await actionFilter.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    // Arrow keys walk the actions (in words) to "Admin: login"; Enter in the field before applies.
    for (let step = 0; step < 60 && (await actionFilter.inputValue()) !== 'admin.login'; step++)
      await page.keyboard.press('ArrowDown');
    expect(await actionFilter.inputValue()).toBe('admin.login');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.locator('section[aria-label="Audit entries"][aria-busy="false"]').waitFor();
    await page.getByRole('table', { name: 'Audit entries matching the filters, newest first' }).waitFor();
    const actions = await page.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['Admin: login']));
    // The page itself does not scroll sideways; the table scrolls inside its focusable region.
    const auditOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(auditOverflow).toBeLessThanOrEqual(0);
    const region = page.getByRole('region', { name: /newest first$/ });
    expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await region.getAttribute('tabindex')).toBe('0');
    await screenshot(page, '07-audit-390px');
    await page.close();
  });

  it('lists a user’s sessions, revokes one of them after a confirmation, by pointer and by keyboard at 390px', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const loginFrom = async (agent: string) => {
      const res = await fetch(`${baseUrl}/${app.name}/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': agent },
        body: JSON.stringify({ username: user.username, password: user.password }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { refresh_token: string }).refresh_token;
    };
    const laptop = await loginFrom(FIREFOX_LINUX);
    ctx.clock.advance(5);
    // A session's start is its first row's createdAt, stamped by the database layer's wall clock, not
    // the test's clock: let that clock move too, so that "newest first" has one answer.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const phone = await loginFrom(SAFARI_IPHONE);
    const access = (refresh_token: string) => postJson('/token/access', { namespace: app.name, refresh_token });

    // Wide: both sessions, newest first, each with its client in a few words.
    const wide = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const wideProblems = watchProblems(wide);
    await logIn(wide);
    await wide.goto(`${baseUrl}/admin/apps/${app.name}`);
    await wide.getByRole('button', { name: `Manage ${user.username}` }).click();
    await wide.getByRole('heading', { name: 'Sessions (2)' }).waitFor();
    const sessions = wide
      .getByRole('list', { name: `Sessions of ${user.username}, newest first` })
      .getByRole('listitem');
    expect(await sessions.locator('strong').allTextContents()).toEqual(['Safari 17 on iPhone', 'Firefox 128 on Linux']);
    expect(await sessions.first().locator('strong').getAttribute('title')).toBe(SAFARI_IPHONE);
    for (const fact of ['Started', 'Last used', 'Expires', 'IP'])
      expect(await sessions.first().getByText(fact, { exact: true }).count()).toBe(1);
    await screenshot(wide, '08-sessions');
    expect(wideProblems).toEqual([]);
    await wide.close();

    // Narrow, by keyboard: open the user, reach the laptop's "Revoke…", cancel with Escape, then confirm.
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems = watchProblems(page);
    await logIn(page);
    await page.goto(`${baseUrl}/admin/apps/${app.name}`);
    await page.getByRole('button', { name: `Manage ${user.username}` }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sessions (2)' }).waitFor();
    const revokeLaptop = page.getByRole('button', { name: /^Revoke the session of Firefox 128 on Linux/ });
    const revokePhone = page.getByRole('button', { name: /^Revoke the session of Safari 17 on iPhone/ });
    await revokePhone.focus();
    await page.keyboard.press('Tab');
    expect(await revokeLaptop.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    const question = page.getByRole('group', { name: /^Revoke this session \(Firefox 128 on Linux/ });
    await question.waitFor();
    expect(await question.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await question.waitFor({ state: 'detached' });
    expect(await revokeLaptop.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await question.waitFor();
    await screenshot(page, '09-sessions-revoke-390px');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Revoke this session now');
    await page.keyboard.press('Enter');

    // One session left, and the list says so; the server agrees.
    await page.getByText('The session of Firefox 128 on Linux was revoked.').waitFor();
    await page.getByRole('heading', { name: 'Sessions (1)' }).waitFor();
    const left = page.getByRole('list', { name: `Sessions of ${user.username}, newest first` }).getByRole('listitem');
    expect(await left.locator('strong').allTextContents()).toEqual(['Safari 17 on iPhone']);
    await screenshot(page, '10-sessions-390px');
    expect((await access(laptop)).status).toBe(401);
    expect((await access(phone)).status).toBe(200);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('when a session ended behind the console’s back, then revoking it says so and the list catches up', async () => {
    const app = await createApplication(ctx.app);
    const user = await createUser(ctx.app, app.name);
    const login = await fetch(`${baseUrl}/${app.name}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'curl/8.5.0' },
      body: JSON.stringify({ username: user.username, password: user.password }),
    });
    expect(login.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    await logIn(page);
    await page.goto(`${baseUrl}/admin/apps/${app.name}`);
    await page.getByRole('button', { name: `Manage ${user.username}` }).click();
    await page.getByRole('heading', { name: 'Sessions (1)' }).waitFor();

    const sessions = await admin(ctx.app, 'get', `/${app.name}/users/${user.username}/sessions`);
    const [only] = sessions.body as { id: string }[];
    expect((await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}/sessions/${only.id}`)).status).toBe(
      204,
    );
    await page.getByRole('button', { name: /^Revoke the session of curl\/8\.5\.0/ }).click();
    await page.getByRole('button', { name: 'Revoke this session now' }).click();

    await page.getByText('That session had already ended.').waitFor();
    await page.getByText('No active sessions.').waitFor();
    await page.getByRole('heading', { name: 'Sessions (0)' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, '11-sessions-empty');
    expect(problems).toEqual([]);
    await page.close();
  });
  it('enrols the admin’s second factor from the account page, then logs in with a code of the app', async () => {
    const name = uniqueName('mfa-admin');
    await ensureAdminAccount(name, GOOD_PASSWORD, ctx.config, ctx.deps);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    const logInAs = async () => {
      await page.getByLabel('Username').fill(name);
      await page.getByLabel('Password').fill(GOOD_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
    };
    await page.goto(`${baseUrl}/admin/apps`);
    await logInAs();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();

    // Enrol: the page shows the key as text and the QR code; the test computes the codes from the key.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByText(`${name}: no second factor.`).waitFor();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const key = await page.getByLabel('Key').inputValue();
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getByLabel('QR code').locator('svg').count()).toBe(1);
    await screenshot(page, '12-mfa-enrol');
    await page.getByLabel('First code from the app').fill(totpCode(key, ctx.clock.now()));
    await page.getByRole('button', { name: 'Activate' }).click();
    const codes = (await page.getByLabel('The recovery codes').textContent())?.trim().split('\n') ?? [];
    expect(codes).toHaveLength(10);
    await page.getByText(`${name}: a second factor is active; logins ask for a code.`).waitFor();
    await page.getByRole('button', { name: 'I have stored them' }).click();
    await page.getByRole('button', { name: 'Log out' }).click();

    // Log in again: the password, then a wrong code shown next to the form, then a code of the next step.
    await logInAs();
    await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    await screenshot(page, '13-mfa-code');
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectAlert(page, 'The code is not valid, or was already used.');
    ctx.clock.advance(30);
    await page.getByLabel('Code').fill(totpCode(key, ctx.clock.now()));
    await page.getByRole('button', { name: 'Log in' }).click();
    // Logged in where it logged out: the account page, which says the factor is active.
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await page.getByText(`${name}: a second factor is active; logins ask for a code.`).waitFor();
    const account = (await fetchAsAdmin(page, '/admin/account')) as { username: string; mfa_active: boolean };
    expect(account).toEqual({ username: name, mfa_active: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});

interface Counts {
  logins: number;
  failures: number;
  lockouts: number;
}
interface StatsAnswer {
  users: number;
  active_sessions: number;
  hourly: Counts[];
  daily: Counts[];
}

/**
 * The overview's numbers as a person and a screen reader get them: the tiles, and the sums of the
 * charts' tables (one per chart, visually hidden), each with the tiles' users and sessions.
 */
async function overviewNumbers(page: Page, scope: string) {
  await page.getByRole('heading', { name: `Now and the last 24 hours ${scope}` }).waitFor();
  const tile = async (name: string) =>
    Number(
      await page
        .locator('.tile', { has: page.getByText(name, { exact: true }) })
        .locator('dd')
        .textContent(),
    );
  const sums = async (name: RegExp) => {
    const rows = await page
      .getByRole('table', { name })
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))));
    const column = (index: number) => rows.reduce((sum, row) => sum + row[index], 0);
    return { logins: column(0), failures: column(1), lockouts: column(2) };
  };
  const now = { users: await tile('Users'), active_sessions: await tile('Active sessions') };
  return {
    ...now,
    logins: await tile('Logins'),
    failures: await tile('Failures'),
    lockouts: await tile('Lockouts'),
    hourly: { ...now, ...(await sums(/per hour/)) },
    daily: { ...now, ...(await sums(/per day/)) },
  };
}

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** Applies the audit log's filters and waits for the answer to them (the section stops being busy). */
async function applyFilters(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('section[aria-label="Audit entries"][aria-busy="false"]').waitFor();
}

describe('the first-run setup page in Chromium', () => {
  it('creates the first admin with the link’s token, then the login page says so and the account logs in', async () => {
    // A first run: no admin account (their console sessions go with them), then restored.
    await ctx.models.AdminAccount.destroy({ where: {} });
    try {
      const token = await createSetupToken(ctx);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = watchProblems(page);
      const sent: string[] = [];
      page.on('request', (req) => sent.push(`${req.method()} ${req.url()} ${req.postData() ?? ''}`));

      await page.goto(`${baseUrl}/admin/setup#${token}`);
      await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
      // The token leaves the address bar at once; only the POST body carries it.
      expect(page.url()).toBe(`${baseUrl}/admin/setup`);

      const firstAdmin = uniqueName('first');
      await page.getByLabel('Username').fill(firstAdmin);
      await page.getByLabel('Password', { exact: true }).fill(GOOD_PASSWORD);
      await page.getByLabel('Repeat password').fill(`${GOOD_PASSWORD}-typo`);
      await page.getByRole('button', { name: 'Create admin account' }).click();
      await expectAlert(page, 'The two passwords differ');
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByLabel('Repeat password').fill('short');
      await page.getByRole('button', { name: 'Create admin account' }).click();
      await expectAlert(page, 'The password must be at least');
      await screenshot(page, '20-setup-error');
      await page.getByLabel('Password', { exact: true }).fill(GOOD_PASSWORD);
      await page.getByLabel('Repeat password').fill(GOOD_PASSWORD);
      await page.getByRole('button', { name: 'Create admin account' }).click();

      await page.getByText(`The admin account ${firstAdmin} was created: log in with it.`).waitFor();
      expect(page.url()).toBe(`${baseUrl}/admin/`);
      await page.getByLabel('Username').fill(firstAdmin);
      await page.getByLabel('Password').fill(GOOD_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

      // Two posts (the refused password, then the account); no page or asset request carries it.
      const carrying = sent.filter((line) => line.includes(token as string));
      expect(carrying).toHaveLength(2);
      expect(carrying.every((line) => line.startsWith(`POST ${baseUrl}/admin/setup {`))).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await ensureAdminAccount(adminName, GOOD_PASSWORD, ctx.config, ctx.deps);
    }
  });
});

async function expectAlert(page: Page, text: string): Promise<void> {
  await page.getByRole('alert').filter({ hasText: text }).first().waitFor();
}

/** Reads an admin resource with the page's own session, as the console would. */
async function fetchAsAdmin(page: Page, path: string): Promise<unknown> {
  return page.evaluate(async (p) => {
    const session = JSON.parse(window.sessionStorage.getItem('jawth.console.session') ?? '{}') as { token: string };
    const res = await fetch(p, {
      headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/json' },
    });
    return res.json() as Promise<unknown>;
  }, path);
}
