import crypto from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import jsonwebtoken from 'jsonwebtoken';
import pino from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Database } from '../../src/db/database';
import request from 'supertest';
import { createApp } from '../../src/app';
import { buildDeps } from '../../src/build-deps';
import { parseConfig } from '../../src/config/config';
import { hashPassword } from '../../src/crypto/password';
import { openApplicationSecret, sealApplicationSecret } from '../../src/crypto/secret-box';
import { migrateUp } from '../../src/db/migrator';
import { migrations } from '../../src/db/migrations';
import { reportUnopenedSecrets } from '../../src/services/application.service';
import { storeOf } from '../../src/services/deps';
import { exportDump } from '../../src/services/import/dump-export.service';
import { importDump } from '../../src/services/import/dump-import.service';
import { captureStream } from '../helpers/capture';
import {
  admin,
  createTestContext,
  JAWTH_KEY,
  openEmptyDatabase,
  SECRET_KEY,
  type TestContext,
} from '../helpers/context';
import { createApplication, createUser, GOOD_PASSWORD, login } from '../helpers/factories';

// Application secrets are sealed at rest (finding #23-13): the rows hold no plain secret, tokens
// still verify with the plain one the API gave, migration 0017 seals older rows once, and a dump
// carries them in clear to a server with another SECRET_KEY. On SQLite and on PostgreSQL
// (TEST_DATABASE_URL).

type SecretRow = { secret: string; previous_secret: string | null; refresh_secret: string };
const rowOf = async (db: Sequelize, name: string): Promise<SecretRow> => {
  const rows = await db.query<SecretRow>(
    'SELECT secret, previous_secret, refresh_secret FROM applications WHERE name = $1',
    { bind: [name], type: QueryTypes.SELECT },
  );
  return rows[0];
};
/** The claims of an HS256 token verified with this plain secret, as an application's backend does. */
const verified = (token: string, secret: string) =>
  jsonwebtoken.verify(token, secret, { algorithms: ['HS256'] }) as jsonwebtoken.JwtPayload;
const refreshed = (app: Parameters<typeof request>[0], namespace: string, refreshToken: string) =>
  request(app).post('/token/access').send({ namespace, refresh_token: refreshToken });
const OTHER_SECRET_KEY = 'another-secret-key-that-is-at-least-32-bytes';

describe('application secrets at rest', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('when an application is created and its secret rotated with a grace, then no row holds a plain secret and tokens verify with the plain ones', async () => {
    const created = await createApplication(ctx.app);
    const user = await createUser(ctx.app, created.name);
    const first = await login(ctx.app, created.name, user.username, GOOD_PASSWORD).expect(200);
    expect(verified(first.body.token, created.secret)).toMatchObject({ username: user.username });
    const rotated = await admin(ctx.app, 'post', `/applications/${created.name}/rotate_secret`, { grace: '1h' });
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;

    const row = await rowOf(ctx.db, created.name);
    for (const value of [row.secret, row.previous_secret as string, row.refresh_secret]) {
      expect(value).toMatch(/^sealed:v1\./);
      for (const plain of [created.secret, secret]) {
        expect(value).not.toBe(plain);
        expect(value).not.toContain(plain);
      }
    }
    expect(openApplicationSecret(row.secret, SECRET_KEY)).toBe(secret);
    expect(openApplicationSecret(row.previous_secret as string, SECRET_KEY)).toBe(created.secret);
    // The refresh secret never leaves the server, and is not the signing secret.
    expect(openApplicationSecret(row.refresh_secret, SECRET_KEY)).not.toBe(secret);

    const next = await login(ctx.app, created.name, user.username, GOOD_PASSWORD).expect(200);
    expect(verified(next.body.token, secret)).toMatchObject({ username: user.username, app: created.name });
    expect(() => verified(next.body.token, created.secret)).toThrow(/invalid signature/);
    // A refresh token from before the rotation still yields access tokens, signed with the new secret.
    const access = await refreshed(ctx.app, created.name, first.body.refresh_token).expect(200);
    expect(verified(access.body.token, secret)).toMatchObject({ username: user.username });
    // The API still shows the plain secret.
    const shown = await admin(ctx.app, 'get', `/applications/${created.name}?include_secret=true`).expect(200);
    expect(shown.body.secret).toBe(secret);
  });

  it('when a secret given to the API begins with "v1." (the sealed form of other secrets), then it is sealed and signs like any other', async () => {
    const secret = `v1.${'a'.repeat(16)}.${'b'.repeat(16)}.${'c'.repeat(16)}`;
    const created = await createApplication(ctx.app, { secret });
    expect(created.secret).toBe(secret);
    const row = await rowOf(ctx.db, created.name);
    expect(row.secret).toMatch(/^sealed:v1\./);
    expect(row.secret).not.toContain(secret);
    const user = await createUser(ctx.app, created.name);
    const res = await login(ctx.app, created.name, user.username, GOOD_PASSWORD).expect(200);
    expect(verified(res.body.token, secret)).toMatchObject({ username: user.username });
  });

  it('when a secret was sealed with another SECRET_KEY, then its logins answer a clear 500 and the start names the application', async () => {
    const created = await createApplication(ctx.app);
    const user = await createUser(ctx.app, created.name);
    await ctx.db.query('UPDATE applications SET secret = $1 WHERE name = $2', {
      bind: [sealApplicationSecret(created.secret, OTHER_SECRET_KEY), created.name],
    });
    ctx.deps.caches.applications.forget(created.name);

    const res = await login(ctx.app, created.name, user.username, GOOD_PASSWORD);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ error: 'internal_error', message: expect.stringMatching(/SECRET_KEY/) });
    expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at /);

    const logs = captureStream();
    await reportUnopenedSecrets({ ...ctx.deps, logger: pino({ level: 'info' }, logs.stream) });
    const line = JSON.parse(logs.text().trim().split('\n').at(-1) as string) as { msg: string; applications: string[] };
    expect(line.applications).toContain(created.name);
    expect(line.msg).toMatch(/sealed with another SECRET_KEY/);
    expect(logs.text()).not.toContain(created.secret);
    await ctx.db.query('DELETE FROM applications WHERE name = $1', { bind: [created.name] });
  });
});

describe('a dump between servers with different SECRET_KEYs', () => {
  it('when exported, then the secrets are in clear and the header says so; imported elsewhere, they are sealed with its key and tokens verify', async () => {
    const [source, target] = await Promise.all([
      createTestContext(),
      createTestContext({ secretKey: OTHER_SECRET_KEY }),
    ]);
    try {
      const shop = await createApplication(source.app);
      const vee = await createApplication(source.app, {
        secret: `v1.${crypto.randomBytes(24).toString('base64url')}.x.y`,
      });
      const users = [await createUser(source.app, shop.name), await createUser(source.app, vee.name)];
      const rotated = await admin(source.app, 'post', `/applications/${shop.name}/rotate_secret`, { grace: '1h' });
      const shopSecret = rotated.body.secret as string;

      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      await exportDump(source.deps, out);
      out.end();
      const text = Buffer.concat(chunks).toString('utf8');
      const lines = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ format: 'jawth-dump', version: 1, application_secrets: 'in clear' });
      expect(lines.find((line) => line.name === shop.name)).toMatchObject({
        secret: shopSecret,
        previous_secret: shop.secret,
        refresh_secret: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(lines.find((line) => line.name === vee.name)).toMatchObject({ secret: vee.secret });
      expect(text).not.toContain('sealed:');

      await importDump(target.deps, () => Readable.from([text]));
      for (const [name, secret, user] of [
        [shop.name, shopSecret, users[0]],
        [vee.name, vee.secret, users[1]],
      ] as const) {
        const row = await rowOf(target.db, name);
        expect(row.secret).not.toContain(secret);
        expect(openApplicationSecret(row.secret, OTHER_SECRET_KEY)).toBe(secret);
        expect(() => openApplicationSecret(row.secret, SECRET_KEY)).toThrow();
        const res = await login(target.app, name, user.username, GOOD_PASSWORD).expect(200);
        expect(verified(res.body.token, secret)).toMatchObject({ username: user.username, app: name });
        const access = await refreshed(target.app, name, res.body.refresh_token).expect(200);
        expect(verified(access.body.token, secret)).toMatchObject({ username: user.username });
      }
      expect(
        openApplicationSecret((await rowOf(target.db, shop.name)).previous_secret as string, OTHER_SECRET_KEY),
      ).toBe(shop.secret);
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  });
});

describe('migration 0017', () => {
  const pgUrl = process.env.TEST_DATABASE_URL || undefined;
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await openEmptyDatabase()));
  afterAll(() => close());

  it('seals the plain secrets of existing applications once; logins then sign with the old plain secret', async () => {
    const before = migrations.slice(
      0,
      migrations.findIndex((m) => m.name === '0017-sealed-application-secrets'),
    );
    await migrateUp(db, pgUrl, { migrations: before, secretKey: SECRET_KEY });
    // Rows as the code before 0017 wrote them: plain, one of 512 bytes, one beginning with "v1.".
    const plain = {
      shop: { secret: 's'.repeat(512), previous: 'p'.repeat(40), refresh: crypto.randomBytes(32).toString('hex') },
      vee: { secret: `v1.${'n'.repeat(16)}.${'c'.repeat(16)}.${'t'.repeat(22)}`, refresh: 'r'.repeat(64) },
    };
    const store = storeOf(db);
    const shop = await store.models.Application.create({
      name: 'shop',
      secret: plain.shop.secret,
      previousSecret: plain.shop.previous,
      previousSecretExpiresAt: new Date(Date.now() + 3600_000),
      refreshSecret: plain.shop.refresh,
      accessTtl: 900,
      accessTtlMax: 1200,
      refreshTtlMax: 86400,
      corsOrigins: '[]',
      audience: null,
    });
    const vee = await store.models.Application.create({
      name: 'vee',
      secret: plain.vee.secret,
      previousSecret: null,
      previousSecretExpiresAt: null,
      refreshSecret: plain.vee.refresh,
      accessTtl: 900,
      accessTtlMax: 1200,
      refreshTtlMax: 86400,
      corsOrigins: '[]',
      audience: null,
    });
    const passwordHash = await hashPassword(GOOD_PASSWORD, 4);
    for (const app of [shop, vee]) {
      await store.models.User.create({
        uid: crypto.randomUUID(),
        applicationId: app.id,
        username: 'alice',
        passwordHash,
      });
    }

    expect(await migrateUp(db, pgUrl, { secretKey: SECRET_KEY })).toContain('0017-sealed-application-secrets');
    const sealed = { shop: await rowOf(db, 'shop'), vee: await rowOf(db, 'vee') };
    expect(sealed.shop.previous_secret).toMatch(/^sealed:v1\./);
    expect(sealed.vee.previous_secret).toBeNull();
    for (const [row, secrets] of [
      [sealed.shop, [plain.shop.secret, plain.shop.previous, plain.shop.refresh]],
      [sealed.vee, [plain.vee.secret, plain.vee.refresh]],
    ] as const) {
      for (const value of [row.secret, row.refresh_secret]) expect(value).toMatch(/^sealed:v1\./);
      for (const secret of secrets) expect(JSON.stringify(row)).not.toContain(secret);
    }
    expect(openApplicationSecret(sealed.shop.secret, SECRET_KEY)).toBe(plain.shop.secret);
    expect(openApplicationSecret(sealed.shop.previous_secret as string, SECRET_KEY)).toBe(plain.shop.previous);
    expect(openApplicationSecret(sealed.vee.secret, SECRET_KEY)).toBe(plain.vee.secret);

    // Run again (its schema_migrations row removed): nothing is sealed twice.
    await db.query("DELETE FROM schema_migrations WHERE name = '0017-sealed-application-secrets'");
    expect(await migrateUp(db, pgUrl, { secretKey: SECRET_KEY })).toEqual(['0017-sealed-application-secrets']);
    expect({ shop: await rowOf(db, 'shop'), vee: await rowOf(db, 'vee') }).toEqual(sealed);
    // With another SECRET_KEY it stops, saying why, rather than seal a sealed value again.
    await db.query("DELETE FROM schema_migrations WHERE name = '0017-sealed-application-secrets'");
    await expect(migrateUp(db, pgUrl, { secretKey: OTHER_SECRET_KEY })).rejects.toThrow(
      /sealed but does not open with this SECRET_KEY/,
    );
    expect({ shop: await rowOf(db, 'shop'), vee: await rowOf(db, 'vee') }).toEqual(sealed);
    await migrateUp(db, pgUrl, { secretKey: SECRET_KEY });

    // A server on the migrated database signs with the secrets the applications already hold.
    const config = {
      ...parseConfig({ SECRET_KEY, JAWTH_KEY, DATABASE_URL: pgUrl ?? 'sqlite::memory:', LOG_LEVEL: 'silent' }),
      bcryptCost: 4,
    };
    const logger = pino({ level: 'silent' });
    const served = await buildDeps(config, {
      db,
      logger,
      limiterOptions: { keyPrefix: `jawth-test-seal-${crypto.randomBytes(6).toString('hex')}` },
    });
    const app = createApp(served);
    try {
      for (const [name, secret] of [
        ['shop', plain.shop.secret],
        ['vee', plain.vee.secret],
      ] as const) {
        const res = await login(app, name, 'alice', GOOD_PASSWORD).expect(200);
        expect(verified(res.body.token, secret)).toMatchObject({ username: 'alice', app: name });
        const access = await refreshed(app, name, res.body.refresh_token).expect(200);
        expect(verified(access.body.token, secret)).toMatchObject({ username: 'alice' });
      }
    } finally {
      await served.limiter.close();
      // Not closeStore: it would close `db`, which afterAll closes.
      await Promise.all([served.readers.close(), served.writer.close()]);
    }
  });
});
