import { Readable, PassThrough } from 'node:stream';
import request from 'supertest';
import { totpCode } from '../../src/crypto/totp';
import { exportDump, type ExportOptions } from '../../src/services/import/dump-export.service';
import { importDump } from '../../src/services/import/dump-import.service';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login } from '../helpers/factories';
import { snapshotData } from '../helpers/snapshot';

// Each test holds a source and a target database open at once, as `jawth export | jawth import`
// between two instances would: nothing the one caches or binds may reach the other.
async function twoDatabases(story: (source: TestContext, target: TestContext) => Promise<void>): Promise<void> {
  const [source, target] = await Promise.all([createTestContext(), createTestContext()]);
  try {
    await story(source, target);
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

async function dumpOf(ctx: TestContext, options: ExportOptions = {}): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await exportDump(ctx.deps, out, { batchSize: 2, ...options });
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

async function importText(ctx: TestContext, text: string) {
  return importDump(ctx.deps, () => Readable.from([text]), { batchSize: 3 });
}

/** Two applications with lifetimes, CORS, audience, sign-up and recovery, a rotated secret, groups, orgs, users (one with an e-mail) and sessions. */
async function seed(ctx: TestContext) {
  const shop = await createApplication(ctx.app, {
    access_ttl: '5m',
    cors_origins: ['https://shop.example'],
    audience: 'shop-api',
    signup: 'confirm',
    recovery: 'on',
    public_url: 'https://shop.example/account',
    mail_templates: { recover: { subject: 'Reset at {{app}}', text: 'Open {{link}}' } },
  });
  const blog = await createApplication(ctx.app);
  await admin(ctx.app, 'post', `/applications/${shop.name}/rotate_secret`, { grace: '1h' }).expect(200);
  for (const name of ['staff', 'vip']) await admin(ctx.app, 'post', `/${shop.name}/groups`, { name }).expect(201);
  await admin(ctx.app, 'post', `/${blog.name}/groups`, { name: 'staff' }).expect(201);
  for (const name of ['acme', 'globex']) await admin(ctx.app, 'post', '/orgs', { name }).expect(201);
  const alice = await createUser(ctx.app, shop.name, {
    groups: ['staff', 'vip'],
    orgs: ['acme'],
    role: 'admin',
    email: 'Alice@shop.example',
  });
  for (let i = 0; i < 5; i += 1) await createUser(ctx.app, shop.name, { groups: i % 2 ? ['vip'] : [] });
  const carol = await createUser(ctx.app, blog.name, { groups: ['staff'], orgs: ['globex'] });
  await admin(ctx.app, 'patch', `/${blog.name}/users/${carol.username}`, { disabled: true }).expect(200);
  await login(ctx.app, shop.name, alice.username, GOOD_PASSWORD).expect(200);
  const key = await admin(ctx.app, 'post', `/applications/${shop.name}/keys`, {
    label: 'backend',
    scopes: ['users:read'],
  }).expect(201);
  return { shop: shop.name, blog: blog.name, alice, key: key.body as { id: string; key: string } };
}

describe('jawth export and jawth import', () => {
  it('when a dump is imported into an empty database, then every row comes back, sessions excepted', async () => {
    await twoDatabases(async (source, target) => {
      const { shop, alice, key } = await seed(source);
      const before = await snapshotData(source.models);
      expect(await source.models.Session.count()).toBeGreaterThan(0);
      const text = await dumpOf(source);

      const lines = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines[0]).toMatchObject({ format: 'jawth-dump', version: 1, app: null });
      expect(lines.at(-1)).toEqual({
        type: 'end',
        counts: { applications: 2, orgs: 2, groups: 3, users: 7, application_keys: 1 },
      });
      expect(text).not.toMatch(/session|refresh_token/i);

      const summary = await importText(target, text);
      expect(summary).toEqual({
        applications: { created: 2, skipped: 0 },
        application_keys: { created: 1, skipped: 0 },
        orgs: { created: 2, skipped: 0 },
        groups: { created: 3, skipped: 0 },
        users: { created: 7, skipped: 0, conflicts: 0 },
        memberships: 7,
      });
      expect(await snapshotData(target.models)).toEqual(before);
      expect(await target.models.Session.count()).toBe(0);
      // The moved user logs in with the same password and keeps the same uid.
      const res = await login(target.app, shop, alice.username, GOOD_PASSWORD).expect(200);
      expect(res.body.uid).toBe(alice.uid);
      // The shop's backend keeps its key: only the hash moved, and it still opens the shop's users.
      expect(text).not.toContain(key.key);
      const withKey = (ctx: TestContext) =>
        request(ctx.app).get(`/${shop}/users`).set('Authorization', `AppKey ${key.key}`);
      expect((await withKey(target)).status).toBe(200);
      expect((await admin(target.app, 'get', `/applications/${shop}/keys`)).body).toEqual([
        expect.objectContaining({ id: key.id, label: 'backend', scopes: ['users:read'] }),
      ]);
      // The source kept its own rows and still answers.
      expect(await snapshotData(source.models)).toEqual(before);
      await login(source.app, shop, alice.username, GOOD_PASSWORD).expect(200);
    });
  });

  it('when the same dump is imported twice, then the second run skips every row', async () => {
    await twoDatabases(async (source, target) => {
      await seed(source);
      const text = await dumpOf(source);

      await importText(target, text);
      const once = await snapshotData(target.models);
      const again = await importText(target, text);
      expect(again).toEqual({
        applications: { created: 0, skipped: 2 },
        application_keys: { created: 0, skipped: 1 },
        orgs: { created: 0, skipped: 2 },
        groups: { created: 0, skipped: 3 },
        users: { created: 0, skipped: 7, conflicts: 0 },
        memberships: 0,
      });
      expect(await snapshotData(target.models)).toEqual(once);
    });
  });

  it("when a user was renamed since, then the dump's user is a uid conflict and is left out", async () => {
    await twoDatabases(async (source, target) => {
      const { shop, alice } = await seed(source);
      const text = await dumpOf(source);

      await importText(target, text);
      await admin(target.app, 'patch', `/${shop}/users/${alice.username}`, { username: 'alice-renamed' }).expect(200);
      const again = await importText(target, text);
      expect(again.users).toEqual({ created: 0, skipped: 6, conflicts: 1 });
      expect(await target.models.User.count({ where: { uid: alice.uid } })).toBe(1);
      expect(await target.models.User.count()).toBe(7);
    });
  });

  it("when another user of the application has the dump user's e-mail (ignoring case), then it is a conflict and is left out", async () => {
    await twoDatabases(async (source, target) => {
      const { shop, alice } = await seed(source);
      const text = await dumpOf(source);
      await createApplication(target.app, { name: shop });
      await createUser(target.app, shop, { email: 'ALICE@shop.example' });

      const summary = await importText(target, text);

      expect(summary.users).toEqual({ created: 6, skipped: 0, conflicts: 1 });
      expect(await target.models.User.count({ where: { uid: alice.uid } })).toBe(0);
    });
  });

  it('when exported with --app, then only that application, its groups, its users and their orgs are in it', async () => {
    const source = await createTestContext();
    try {
      const { blog } = await seed(source);
      const text = await dumpOf(source, { app: blog });
      await expect(dumpOf(source, { app: 'missing' })).rejects.toThrow(/No application/);

      const records = text
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => JSON.parse(line));
      expect(records.map((r) => `${r.type}:${r.name ?? r.username ?? ''}`)).toEqual([
        `application:${blog}`,
        'org:globex',
        'group:staff',
        expect.stringMatching(/^user:/),
        'end:',
      ]);
    } finally {
      await source.close();
    }
  });

  it('when a dump is cut short, then what it held is imported, the import fails, and a re-run of the whole dump completes', async () => {
    await twoDatabases(async (source, target) => {
      await seed(source);
      const text = await dumpOf(source);

      const lines = text.trimEnd().split('\n');
      const cut = `${lines.slice(0, -3).join('\n')}\n`;
      await expect(importText(target, cut)).rejects.toThrow(/ends before its end line/);
      expect(await target.models.User.count()).toBe(5);
      const rerun = await importText(target, text);
      expect(rerun.users).toEqual({ created: 2, skipped: 5, conflicts: 0 });
      expect(await target.models.User.count()).toBe(7);
    });
  });

  it('when the input is not a jawth dump, then nothing is written', async () => {
    const target = await createTestContext();
    try {
      await expect(importText(target, '{"format":"other","version":1}\n')).rejects.toThrow(/not a jawth dump/);
      await expect(importText(target, '')).rejects.toThrow(/empty/);
      const header = JSON.stringify({
        format: 'jawth-dump',
        version: 1,
        exported_at: new Date().toISOString(),
        app: null,
      });
      await expect(importText(target, `${header}\n{"type":"user","app":"x"}\n`)).rejects.toThrow(/line 2: /);
      expect(await target.models.User.count()).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('when a user with a second factor is moved, then the factor keeps working, still sealed, codes used before refused', async () => {
    const source = await createTestContext();
    const app = await createApplication(source.app, { mfa: 'required' });
    const user = await createUser(source.app, app.name);
    const enrolToken = (await login(source.app, app.name, user.username, GOOD_PASSWORD)).body.mfa_token as string;
    const auth = { Authorization: `Bearer ${enrolToken}` };
    const { secret } = (await request(source.app).post(`/${app.name}/${user.username}/mfa/enrol`).set(auth)).body as {
      secret: string;
    };
    const usedCode = totpCode(secret, source.clock.now());
    const confirmed = await request(source.app)
      .post(`/${app.name}/${user.username}/mfa/confirm`)
      .set(auth)
      .send({ code: usedCode });
    const recovery = confirmed.body.recovery_codes as string[];
    const text = await dumpOf(source);
    const moment = source.clock.now();
    await source.close();
    expect(text).not.toContain(secret);
    expect(text).not.toContain(recovery[0]);

    const target = await createTestContext();
    const completeWith = async (code: string) => {
      const asked = await login(target.app, app.name, user.username, GOOD_PASSWORD).expect(200);
      expect(asked.body.mfa_required).toBe(true);
      return request(target.app).post(`/${app.name}/login/mfa`).send({ mfa_token: asked.body.mfa_token, code });
    };
    try {
      await importText(target, text);
      expect((await admin(target.app, 'get', `/applications/${app.name}`)).body.mfa).toBe('required');
      const target30 = new Date(moment.getTime() + 30_000);
      const offset = (target30.getTime() - target.clock.now().getTime()) / 1000;
      target.clock.advance(offset);

      expect((await completeWith(usedCode)).status).toBe(401);
      expect((await completeWith(totpCode(secret, target.clock.now()))).status).toBe(200);
      expect((await completeWith(recovery[0])).status).toBe(200);
    } finally {
      await target.close();
    }

    // Under another SECRET_KEY the sealed secret cannot be opened: codes refused, recovery codes still good.
    const rotated = await createTestContext({ secretKey: 'another-secret-key-that-is-at-least-32-bytes' });
    try {
      await importText(rotated, text);
      const asked = await login(rotated.app, app.name, user.username, GOOD_PASSWORD).expect(200);
      const complete = (code: string) =>
        request(rotated.app).post(`/${app.name}/login/mfa`).send({ mfa_token: asked.body.mfa_token, code });
      expect((await complete(totpCode(secret, rotated.clock.now()))).status).toBe(401);
      expect((await complete(recovery[1])).status).toBe(200);
    } finally {
      await rotated.close();
    }
  });
});
