import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { parseConfig } from '../../src/config/config';
import { verifyToken } from '../../src/crypto/jwt';
import { openDatabase } from '../../src/db/sequelize';
import { closeStore, storeOf } from '../../src/services/deps';
import { GOOD_PASSWORD } from '../helpers/factories';
import { STACK_LINE, exited, listeningUrls, runCli, startCli, waitFor } from '../helpers/cli';
import { migrations } from '../../src/db/migrations';
import { onTerminal } from './terminal';

const ADMIN_PASSWORD = 'admin-pass-word-42';
// bcrypt cost 10, the lowest the configuration allows, keeps the spawned server quick.
const ENV = { BCRYPT_COST: '10', LOG_LEVEL: 'info' };

let dir: string;
let server: { child: ChildProcess; output: () => string } | undefined;
let url: string;
const cli = (...args: string[]) => runCli(args, dir, ENV);
const remote = (...args: string[]) => runCli([...args, '--url', url], dir, ENV);
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;
const serverOutput = () => server?.output() ?? '';
const readEnv = () =>
  Object.fromEntries(
    [...fs.readFileSync(path.join(dir, '.env'), 'utf8').matchAll(/^(\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]),
  );

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-cli-'));
});

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await exited(server.child);
  }
});

describe('jawth, from a fresh folder to a running server', () => {
  it('conf writes a private .env with fresh keys and refuses to overwrite it without --force', async () => {
    const first = await cli('conf');
    expect(first.code).toBe(0);
    const envFile = path.join(dir, '.env');
    expect(first.stdout).toContain(envFile);
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    const keys = fs.readFileSync(envFile, 'utf8');
    expect(keys).toMatch(/^SECRET_KEY=[0-9a-f]{64}$/m);
    expect(keys).toMatch(/^JAWTH_KEY=[0-9a-f]{64}$/m);

    const again = await cli('conf');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    expect(again.stderr).not.toMatch(STACK_LINE);
    expect(fs.readFileSync(envFile, 'utf8')).toBe(keys);

    expect((await cli('conf', '--force')).code).toBe(0);
    expect(fs.readFileSync(envFile, 'utf8')).not.toBe(keys);
  });

  it('init migrates and creates the admin from the environment; a second run says it exists', async () => {
    const env = { ...ENV, JAWTH_ADMIN_USERNAME: 'root', JAWTH_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const port = await freePort();
    const first = await runCli(['init'], dir, { ...env, PORT: String(port) });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('0002-admin-accounts');
    expect(first.stdout).toContain(
      `Created admin account "root"; start the server with \`jawth serve\`, then sign in at http://127.0.0.1:${port}/admin/.\n`,
    );
    expect(first.stdout + first.stderr).not.toContain(ADMIN_PASSWORD);

    const second = await runCli(['init'], dir, env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Admin account "root" already exists');
    expect((await cli('init')).stdout).toContain('An admin account already exists');

    const store = storeOf(openDatabase(`sqlite:${path.join(dir, 'data', 'jawth.sqlite')}`));
    try {
      const accounts = await store.models.AdminAccount.findAll();
      expect(accounts.map((a) => a.username)).toEqual(['root']);
      expect(accounts[0].passwordHash).toMatch(/^\$2b\$10\$/);
    } finally {
      await closeStore(store);
    }
  });

  it('init refuses a common password with a clear message', async () => {
    const res = await cli('init', '--username', 'weak', '--password', 'password123');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/most common/);
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it('migrate --status lists every migration as applied', async () => {
    const res = await cli('migrate', '--status', '--json');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(migrations.map((m) => ({ name: m.name, state: 'applied' })));
    expect(migrations[0].name).toBe('0001-initial');
    expect((await cli('migrate')).stdout).toContain('up to date');
  });

  it('serve listens on the port it is given (0: a free one)', async () => {
    const started = startCli(['serve', '--port', '0'], dir, ENV);
    server = started;
    await waitFor(() => listeningUrls(started.output()).length > 0);
    url = listeningUrls(started.output())[0];
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('init, while the server runs, says so and where the console is instead of "start the server"', async () => {
    const port = new URL(url).port;
    const env = { ...ENV, PORT: port, JAWTH_ADMIN_USERNAME: 'second', JAWTH_ADMIN_PASSWORD: ADMIN_PASSWORD };

    const res = await runCli(['init'], dir, env);

    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `Created admin account "second"; the server is already running, so sign in at http://127.0.0.1:${port}/admin/.\n`,
    );
    expect(res.stdout).not.toContain('jawth serve');
  });

  it('apps create prints the application with its secret; users create makes a user who can log in', async () => {
    const app = await remote('apps', 'create', 'shop', '--access-ttl', '5m', '--json');
    expect(app.code).toBe(0);
    const created = json(app.stdout);
    expect(created).toMatchObject({ name: 'shop', access_ttl: '5m' });
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);

    const user = await remote('users', 'create', 'shop', 'alice', '--password', GOOD_PASSWORD, '--json');
    expect(user.code).toBe(0);
    expect(json(user.stdout)).toMatchObject({ app: 'shop', username: 'alice', role: 'user', disabled: false });
    expect(user.stdout).not.toContain(GOOD_PASSWORD);

    const login = await userLogin('alice', GOOD_PASSWORD);
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    expect(verifyToken(token, created.secret as string)).toMatchObject({ username: 'alice', app: 'shop' });
  });

  it('apps list and users list print tables by default, with the total under them', async () => {
    const apps = await remote('apps', 'list');
    expect(apps.code).toBe(0);
    expect(apps.stdout).toMatch(/^NAME\s+ACCESS_TTL/);
    expect(apps.stdout).toMatch(/^shop\s+5m/m);
    expect(apps.stdout).not.toContain('secret');
    expect(apps.stdout).toMatch(/\n1 of 1 application\.\n$/);
    const users = await remote('users', 'list', 'shop');
    expect(users.code).toBe(0);
    expect(users.stdout).toMatch(/^APP\s+USERNAME/);
    expect(users.stdout).toMatch(/^shop\s+alice\s/m);
    expect(users.stdout).toMatch(/\n1 of 1 user\.\n$/);
  });

  it('users list pages with --limit and --offset as apps list does, and says where the next page starts', async () => {
    for (const name of ['bob', 'carol']) {
      expect((await remote('users', 'create', 'shop', name, '--password', GOOD_PASSWORD)).code).toBe(0);
    }
    const all = (await remote('users', 'list', 'shop', '--json')).stdout;
    const usernames = (JSON.parse(all) as { username: string }[]).map((u) => u.username);
    expect(usernames).toHaveLength(3);

    const first = await remote('users', 'list', 'shop', '--limit', '1');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^shop\\s+${usernames[0]}\\s`, 'm'));
    expect(first.stdout).toMatch(/\n1 of 3 users; see the next ones with --offset 1\.\n$/);

    const rest = await remote('users', 'list', 'shop', '--limit', '2', '--offset', '1', '--json');
    expect((JSON.parse(rest.stdout) as { username: string }[]).map((u) => u.username)).toEqual(usernames.slice(1));
    expect((await remote('users', 'list', 'shop', '--offset', '1')).stdout).toMatch(/\n2-3 of 3 users\.\n$/);
    expect((await remote('users', 'list', 'shop', '--offset', '5')).stdout).toMatch(
      /\nNo users from --offset 5: there are 3 in all\.\n$/,
    );
    expect((await remote('users', 'list', '--limit', '2')).stdout).toMatch(
      /\n1-2 of 3 users; see the next ones with --offset 2\.\n$/,
    );

    const tooMany = await remote('users', 'list', 'shop', '--limit', '1001');
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain('Expected an integer from 1 to 1000.');
    for (const name of ['bob', 'carol']) expect((await remote('users', 'delete', 'shop', name)).code).toBe(0);
  });

  it('apps create, for people, says to store the secret now and how to see it again', async () => {
    const res = await remote('apps', 'create', 'notes');

    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^secret:\s+[0-9a-f]{64}$/m);
    expect(res.stdout).toMatch(
      /\nStore the secret now where your application reads it; `jawth apps show notes --include-secret` prints it again\.\n$/,
    );
    const shown = json((await remote('apps', 'show', 'notes', '--include-secret', '--json')).stdout);
    expect(res.stdout).toContain(shown.secret as string);
    expect((await remote('apps', 'list')).stdout).toMatch(/\n1-2 of 2 applications\.\n$/);
  });

  it('token prints a signed request token that the server accepts for its method and path only', async () => {
    const res = await cli('token', '--method', 'GET', '--path', '/applications/shop', '--ttl', '30s');
    expect(res.code).toBe(0);
    const token = res.stdout.trim();
    expect((await fetch(`${url}/applications/shop`, { headers: { auth: `jwt ${token}` } })).status).toBe(200);
    expect((await fetch(`${url}/applications`, { headers: { auth: `jwt ${token}` } })).status).toBe(401);

    for (const [data, kind] of [
      ['[1,2]', 'an array'],
      ['"name"', 'a string'],
      ['42', 'a number'],
      ['null', 'null'],
    ]) {
      const refused = await cli('token', '--data', data);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toBe(`jawth: --data must be a JSON object such as '{"name":"myapp"}', not ${kind}.\n`);
    }

    const tooLong = await cli('token', '--ttl', '1h');
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toContain('ADMIN_TOKEN_MAX_TTL');
  });

  it('request signs and sends, prints the JSON answer, and exits 1 with the message on 4xx', async () => {
    const created = await remote('request', 'POST', '/applications', '--data', '{"name":"blog"}');
    expect(created.code).toBe(0);
    expect(json(created.stdout)).toMatchObject({ name: 'blog' });

    const shown = await remote('request', 'GET', '/applications/blog');
    expect(json(shown.stdout)).toMatchObject({ name: 'blog' });
    expect(json(shown.stdout)).not.toHaveProperty('secret');

    const missing = await remote('request', 'GET', '/nowhere/users');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404 application_not_found');
    expect(missing.stderr).not.toMatch(STACK_LINE);

    const badJson = await remote('request', 'POST', '/applications', '--data', '{name:');
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toMatch(
      /^jawth: --data is not valid JSON \([^\n]+\): give a JSON object such as '\{"name":"myapp"\}'\.\n$/,
    );
    const array = await remote('request', 'POST', '/applications', '--data', '[{"name":"arr"}]');
    expect(array.code).toBe(1);
    expect(array.stderr).toBe(`jawth: --data must be a JSON object such as '{"name":"myapp"}', not an array.\n`);
    expect((await remote('apps', 'show', 'arr')).code).toBe(1);
  });

  it('every token the CLI signs is one-use and bound to method, path and query (htm, htu, jti)', async () => {
    const config = parseConfig(readEnv());
    const res = await cli('token', '--method', 'GET', '--path', '/applications/shop?include_secret=true');
    const token = res.stdout.trim();
    const claims = verifyToken(token, config.secretKey);
    expect(claims).toMatchObject({
      htm: 'GET',
      htu: '/applications/shop?include_secret=true',
      jti: expect.any(String),
    });

    const headers = { auth: `jwt ${token}` };
    expect((await fetch(`${url}/applications/shop`, { headers })).status).toBe(401);
    expect((await fetch(`${url}/applications/shop?include_secret=true`, { headers })).status).toBe(200);
    expect((await fetch(`${url}/applications/shop?include_secret=true`, { headers })).status).toBe(401);

    const listed = await remote('request', 'GET', '/shop/users?limit=1&q=a b');
    expect(listed.code).toBe(0);
    const twice = await Promise.all([remote('apps', 'list', '--json'), remote('apps', 'list', '--json')]);
    expect(twice.map((r) => r.code)).toEqual([0, 0]);
  });

  it('users disable, enable, set-password, revoke and delete act through the admin API', async () => {
    expect((await remote('users', 'disable', 'shop', 'alice')).stdout).toContain('Disabled "alice"');
    expect(json((await remote('users', 'show', 'shop', 'alice', '--json')).stdout).disabled).toBe(true);
    expect((await userLogin('alice', GOOD_PASSWORD)).status).toBe(401);
    expect((await remote('users', 'enable', 'shop', 'alice')).code).toBe(0);
    expect((await remote('users', 'set-password', 'shop', 'alice', '--password', 'new-pass-word-77')).code).toBe(0);
    expect((await userLogin('alice', 'new-pass-word-77')).status).toBe(200);
    expect((await remote('users', 'revoke', 'shop', 'alice')).code).toBe(0);
    expect((await remote('users', 'delete', 'shop', 'alice')).code).toBe(0);
    expect((await remote('users', 'show', 'shop', 'alice')).code).toBe(1);
  });

  it('apps update --mfa sets the second factor of an application; an unknown setting is refused', async () => {
    const updated = json((await remote('apps', 'update', 'shop', '--mfa', 'required', '--json')).stdout);
    expect(updated).toMatchObject({ name: 'shop', mfa: 'required' });
    const wrong = await remote('apps', 'update', 'shop', '--mfa', 'sometimes');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Allowed choices are off, optional, required/);
    expect((await remote('apps', 'update', 'shop')).stderr).toContain('Nothing to change');
    await remote('users', 'create', 'shop', 'carol', '--password', GOOD_PASSWORD);
    expect(await (await userLogin('carol', GOOD_PASSWORD)).json()).toMatchObject({ mfa_enrolment_required: true });
    const noFactor = await remote('users', 'remove-mfa', 'shop', 'carol');
    expect([noFactor.code, noFactor.stderr]).toEqual([1, expect.stringContaining('no second factor')]);
    const back = json((await remote('apps', 'update', 'shop', '--mfa', 'off', '--access-ttl', '10m', '--json')).stdout);
    expect(back).toMatchObject({ mfa: 'off', access_ttl: '10m' });
    const created = json((await remote('apps', 'create', 'vault', '--mfa', 'optional', '--json')).stdout);
    expect(created).toMatchObject({ name: 'vault', mfa: 'optional' });
  });

  it('apps update --signup, --recovery and --public-url set sign-up and recovery; --no-public-url clears the page', async () => {
    const url = 'https://shop.example.com/account';
    const args = ['--signup', 'confirm', '--recovery', 'on', '--public-url', url, '--json'];
    const updated = json((await remote('apps', 'update', 'shop', ...args)).stdout);
    expect(updated).toMatchObject({ signup: 'confirm', recovery: 'on', public_url: url });
    const cleared = json(
      (await remote('apps', 'update', 'shop', '--no-public-url', '--signup', 'off', '--json')).stdout,
    );
    expect(cleared).toMatchObject({ signup: 'off', recovery: 'on', public_url: null });
    const wrong = await remote('apps', 'update', 'shop', '--signup', 'sometimes');
    expect(wrong.code).not.toBe(0);
  });

  it('apps rotate-secret gives a new secret; apps delete removes the application', async () => {
    const rotated = json((await remote('apps', 'rotate-secret', 'shop', '--json')).stdout);
    expect(rotated).toMatchObject({ name: 'shop', secret_version: 2 });
    const deleted = await remote('apps', 'delete', 'blog', '--yes');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe('Deleted application "blog".\n');
    expect((await remote('apps', 'show', 'blog')).stderr).toContain('404 application_not_found');
  });

  it('apps keys create prints a key once; list never shows it; revoke stops it', async () => {
    const created = json(
      (await remote('apps', 'keys', 'create', 'shop', '--label', 'backend', '--scopes', 'users:read', '--json')).stdout,
    );
    expect(created).toMatchObject({ label: 'backend', scopes: ['users:read'] });
    const key = created.key as string;
    const usersOfShop = () => fetch(`${url}/shop/users`, { headers: { Authorization: `AppKey ${key}` } });
    expect((await usersOfShop()).status).toBe(200);

    const forPeople = await remote('apps', 'keys', 'create', 'shop', '--label', 'support', '--scopes', 'mfa:reset');
    expect(forPeople.stdout).toMatch(/^key:\s+jawth_ak_\S{43}$/m);
    expect(forPeople.stdout).toMatch(/\nStore the key now where your backend reads it: it is not shown again/);
    const listed = await remote('apps', 'keys', 'list', 'shop');
    expect(listed.stdout).toMatch(/^ID\s+LABEL\s+SCOPES\s+CREATED_AT$/m);
    expect(listed.stdout).toContain('backend');
    expect(listed.stdout).not.toContain('jawth_ak_');
    const typo = await remote('apps', 'keys', 'create', 'shop', '--label', 'x', '--scopes', 'users:admin');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('Expected scopes among users:read, users:write, mfa:reset.');

    const revoked = await remote('apps', 'keys', 'revoke', 'shop', created.id as string);
    expect(revoked.stdout).toBe(`Revoked key ${created.id as string} of "shop".\n`);
    expect((await usersOfShop()).status).toBe(401);
  });

  it('apps webhooks lists endpoints and deliveries, disables and enables, and says what a queue command refused', async () => {
    // A public address (this machine reaches none): the server queues for it but never delivers.
    const data = JSON.stringify({ url: 'http://93.184.216.34/hooks', events: ['webhook.disabled'] });
    const hook = json((await remote('request', 'POST', '/applications/shop/webhooks', '--data', data)).stdout)
      .id as string;
    const listed = await remote('apps', 'webhooks', 'list', 'shop');
    expect(listed.stdout).toMatch(/^ID\s+URL\s+EVENTS\s+DISABLED\s+DISABLED_REASON$/m);
    expect(listed.stdout).toContain(hook);

    const disabled = await remote('apps', 'webhooks', 'disable', 'shop', hook, '--json');
    expect(json(disabled.stdout)).toMatchObject({ disabled: true, disabled_reason: 'disabled by an admin' });
    const test = await remote('request', 'POST', `/applications/shop/webhooks/${hook}/test`);
    expect(test.code).toBe(1);
    expect(test.stderr).toMatch(/disabled/);
    expect(JSON.parse((await remote('apps', 'webhooks', 'deliveries', 'shop', hook, '--json')).stdout)).toEqual([]);
    for (const verb of ['retry', 'replay', 'skip']) {
      const refused = await remote('apps', 'webhooks', verb, 'shop', hook, 'msg_nothing');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/has no delivery "msg_nothing"/);
      expect(refused.stderr).not.toMatch(STACK_LINE);
    }

    const enabled = await remote('apps', 'webhooks', 'enable', 'shop', hook, '--json');
    expect(json(enabled.stdout)).toMatchObject({ disabled: false, disabled_reason: null });
    expect((await remote('request', 'DELETE', `/applications/shop/webhooks/${hook}`)).code).toBe(0);
  });

  it('apps delete without a terminal and without --yes deletes nothing and says to pass --yes', async () => {
    const res = await remote('apps', 'delete', 'notes');

    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      'jawth: there is no terminal to confirm on: pass --yes to delete application "notes" and all its users.\n',
    );
    expect((await remote('apps', 'show', 'notes')).code).toBe(0);
  });

  it('apps delete on a terminal warns what goes with it and deletes only when the name is typed', async () => {
    const warning =
      'Deleting application "notes" deletes all its users too, and tokens it issued keep verifying in your applications until they expire.';
    const wrong = onTerminal(
      dir,
      ['apps', 'delete', 'notes', '--url', url],
      [['Type "notes" to confirm: ', 'note']],
      ENV,
    );
    expect(await wrong.code).toBe(1);
    expect(wrong.output()).toContain(`${warning}\r\nType "notes" to confirm: `);
    expect(wrong.output()).toContain('jawth: not confirmed: you did not type "notes", so nothing was done.\r\n');
    expect((await remote('apps', 'show', 'notes')).code).toBe(0);

    const missing = onTerminal(dir, ['apps', 'delete', 'nothere', '--url', url], [], ENV);
    expect(await missing.code).toBe(1);
    expect(missing.output()).toContain('404 application_not_found');
    expect(missing.output()).not.toContain('Type "nothere"');

    const typed = onTerminal(
      dir,
      ['apps', 'delete', 'notes', '--url', url],
      [['Type "notes" to confirm: ', 'notes']],
      ENV,
    );
    expect(await typed.code).toBe(0);
    expect(typed.output()).toContain(warning);
    expect(typed.output()).toContain('Deleted application "notes".');
    expect((await remote('apps', 'show', 'notes')).stderr).toContain('404 application_not_found');
  });

  it('export onto an existing file readable by all leaves it private, like the database and its folder', async () => {
    const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
    const file = path.join(dir, 'dump.jsonl');
    fs.writeFileSync(file, 'an older dump\n');
    fs.chmodSync(file, 0o644);

    const res = await cli('export', '--output', file);

    expect(res.code).toBe(0);
    expect(modeOf(file)).toBe(0o600);
    const dump = fs.readFileSync(file, 'utf8');
    expect(dump).toContain('"shop"');
    expect(dump).not.toContain('an older dump');
    expect(modeOf(path.join(dir, 'data'))).toBe(0o700);
    expect(modeOf(path.join(dir, 'data', 'jawth.sqlite'))).toBe(0o600);
  });

  it('the admin created by init logs in through HTTP, uses the session, and logs out', async () => {
    const login = await fetch(`${url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const bearer = { authorization: `Bearer ${token}` };
    expect((await fetch(`${url}/applications`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${url}/admin/logout`, { method: 'POST', headers: bearer })).status).toBe(204);
    expect((await fetch(`${url}/applications`, { headers: bearer })).status).toBe(401);
  });

  it('the server never logged a key or a password', async () => {
    const keys = fs.readFileSync(path.join(dir, '.env'), 'utf8');
    for (const secret of [...keys.matchAll(/^\w+=(\S+)$/gm)].map((m) => m[1])) {
      expect(serverOutput()).not.toContain(secret);
    }
    expect(serverOutput()).not.toContain(ADMIN_PASSWORD);
    expect(serverOutput()).not.toContain(GOOD_PASSWORD);
  });

  it('once the server is stopped, commands say it cannot be reached', async () => {
    server?.child.kill('SIGTERM');
    expect(await exited((server as { child: ChildProcess }).child)).toBe(0);
    const res = await remote('apps', 'list');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cannot reach jawth at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

describe('jawth --version', () => {
  it('prints the version in package.json, with --version or -V, and exits 0', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-version-'));
    for (const flag of ['--version', '-V']) {
      const res = await runCli([flag], empty);
      expect(res).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('jawth without configuration', () => {
  it('says how to make one, without a stack trace', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-empty-'));
    const res = await runCli(['apps', 'list'], empty);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/SECRET_KEY is required/);
    expect(res.stderr).toContain(`Settings were read from the environment (no .env in ${empty} or a folder above it).`);
    expect(res.stderr).toContain('Run jawth in the folder the server runs in (or below it) to use its keys');
    expect(res.stderr).toContain('jawth conf');
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it("from a folder below the server's, reads the server's .env and database, as the server does", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-home-'));
    expect((await runCli(['conf'], home)).code).toBe(0);
    expect((await runCli(['migrate'], home)).code).toBe(0);
    const below = path.join(home, 'deploy', 'scripts');
    fs.mkdirSync(below, { recursive: true });
    const status = await runCli(['migrate', '--status'], below);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toMatch(/pending/);
    expect(fs.existsSync(path.join(below, 'data'))).toBe(false);
  });
});

function userLogin(username: string, password: string) {
  return fetch(`${url}/shop/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** A port nothing listens on (the OS picked it free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
