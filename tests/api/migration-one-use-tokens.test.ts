import pino from 'pino';
import { DataTypes, QueryTypes, type Sequelize } from 'sequelize';
import { parseConfig } from '../../src/config/config';
import { sha256 } from '../../src/crypto/random';
import { createMigrator, migrateUp } from '../../src/db/migrator';
import { migrations } from '../../src/db/migrations';
import { AppError } from '../../src/errors';
import { readAccountToken, spendAccountToken } from '../../src/services/account-token.service';
import { spendJti } from '../../src/services/admin-replay.service';
import { completeSetup } from '../../src/services/admin-setup.service';
import { storeOf, type Deps } from '../../src/services/deps';
import { readMfaToken, spendMfaToken } from '../../src/services/mfa-codes.service';
import { JAWTH_KEY, SECRET_KEY, openEmptyDatabase } from '../helpers/context';
import { GOOD_PASSWORD } from '../helpers/factories';
import { storedTokens } from '../helpers/one-use-tokens';

// 0018 moves the four tables of one-use tokens into one_use_tokens: rows written by the code of
// before (the two admin tables through their Sequelize models, whose DATE columns SQLite keeps as
// text and PostgreSQL as timestamp with time zone; the other two in epoch ms by raw SQL) keep
// their meaning, on SQLite and on PostgreSQL (TEST_DATABASE_URL).
const pgUrl = process.env.TEST_DATABASE_URL || undefined;
const OLD_TABLES = ['admin_request_jtis', 'admin_setup_tokens', 'mfa_tokens', 'account_tokens'];
let db: Sequelize;
let close: () => Promise<void>;
let deps: Deps;

beforeAll(async () => {
  ({ db, close } = await openEmptyDatabase());
  const config = { ...parseConfig({ SECRET_KEY, JAWTH_KEY, LOG_LEVEL: 'silent' }), bcryptCost: 4 };
  deps = { ...storeOf(db), config, clock: { now: () => new Date() }, logger: pino({ level: 'silent' }) };
});
afterAll(() => close());

/** The two models as they were before 0018 (src/db/models/admin-*.model.ts). */
const oldModel = (name: string, table: string, hashColumn: string) =>
  db.define(
    name,
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      [hashColumn]: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { tableName: table, underscored: true, updatedAt: false },
  );

const tableExists = (table: string) =>
  db.query(`SELECT 1 FROM ${table} LIMIT 1`).then(
    () => true,
    () => false,
  );
const refused = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );

describe('0018-one-use-tokens', () => {
  it('copies the live tokens of the four tables, each still spent once, drops the expired ones, and goes back down', async () => {
    const before = migrations.slice(
      0,
      migrations.findIndex((m) => m.name === '0018-one-use-tokens'),
    );
    await migrateUp(db, pgUrl, { migrations: before, secretKey: SECRET_KEY });
    const { models } = deps;
    const app = await models.Application.create({
      name: 'shop',
      corsOrigins: '[]',
      secret: 'unused',
      refreshSecret: 'unused',
      accessTtl: 600,
      accessTtlMax: 3600,
      refreshTtlMax: 86400,
    });
    const user = await models.User.create({
      uid: 'u-1',
      applicationId: app.id,
      username: 'alice',
      passwordHash: 'x',
    });
    const account = await models.AdminAccount.create({ username: 'root', passwordHash: 'x' });
    const now = Date.now();
    const live = now + 3600_123;
    const past = now - 60_000;

    // Today's writes: the admin tables through their models (DATE), the others by raw SQL (ms).
    const Jti = oldModel('OldAdminRequestJti', 'admin_request_jtis', 'jtiHash');
    const Setup = oldModel('OldAdminSetupToken', 'admin_setup_tokens', 'tokenHash');
    await Jti.create({ jtiHash: sha256('jti-live'), expiresAt: new Date(live) });
    await Jti.create({ jtiHash: sha256('jti-forever'), expiresAt: new Date('9999-12-31T00:00:00Z') });
    await Jti.create({ jtiHash: sha256('jti-expired'), expiresAt: new Date(past) });
    await Setup.create({ tokenHash: sha256('setup-live'), expiresAt: new Date(live) });
    await Setup.create({ tokenHash: sha256('setup-expired'), expiresAt: new Date(past) });
    const [stored] = await db.query<{ expires_at: unknown }>(
      `SELECT expires_at FROM admin_setup_tokens WHERE token_hash = $1`,
      { bind: [sha256('setup-live')], type: QueryTypes.SELECT },
    );
    if (pgUrl) expect(stored.expires_at).toEqual(new Date(live));
    else expect(stored.expires_at).toBe(new Date(live).toISOString().replace('T', ' ').replace('Z', ' +00:00'));
    const mfa = `INSERT INTO mfa_tokens (token_hash, purpose, flow, user_id, admin_account_id, ttl, expires_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
    for (const bind of [
      [sha256('mfa-login'), 'login', 'refresh', user.id, null, 7200, live, now],
      [sha256('mfa-enrol'), 'enrol', 'login', user.id, null, null, live, now],
      [sha256('mfa-admin'), 'login', 'admin', null, account.id, null, live, now],
      [sha256('mfa-expired'), 'login', 'login', user.id, null, null, past, now - 360_000],
    ]) {
      await db.query(mfa, { bind });
    }
    const accountToken = `INSERT INTO account_tokens (token_hash, purpose, user_id, expires_at, created_at)
                          VALUES ($1, $2, $3, $4, $5)`;
    await db.query(accountToken, { bind: [sha256('reset-live'), 'reset', user.id, live, now] });
    await db.query(accountToken, { bind: [sha256('confirm-expired'), 'confirm', user.id, past, now - 86_400_000] });

    expect(await migrateUp(db, pgUrl, { secretKey: SECRET_KEY })).toEqual(['0018-one-use-tokens']);

    for (const table of OLD_TABLES) expect(await tableExists(table)).toBe(false);
    expect(await storedTokens(db, 'admin_jti')).toEqual([
      expect.objectContaining({ tokenHash: sha256('jti-live'), expiresAt: live, userId: null, data: null }),
      expect.objectContaining({ tokenHash: sha256('jti-forever'), expiresAt: Date.parse('9999-12-31T00:00:00Z') }),
    ]);
    const [setup] = await storedTokens(db, 'admin_setup');
    expect(setup).toMatchObject({ tokenHash: sha256('setup-live'), expiresAt: live });
    expect(Math.abs(setup.createdAt - now)).toBeLessThan(60_000);
    expect((await storedTokens(db, 'mfa_login')).map((t) => t.tokenHash)).toEqual([
      sha256('mfa-login'),
      sha256('mfa-admin'),
    ]);
    expect(await storedTokens(db, 'reset')).toEqual([
      expect.objectContaining({ tokenHash: sha256('reset-live'), userId: user.id, expiresAt: live, createdAt: now }),
    ]);
    expect(await storedTokens(db, 'confirm')).toEqual([]);

    // A jti copied is still a replay until its token expires; an expired one was dropped, and is new again.
    expect(await spendJti('jti-live', Math.floor(live / 1000), new Date(), deps)).toBe(false);
    expect(await spendJti('jti-forever', undefined, new Date(), deps)).toBe(false);
    expect(await spendJti('jti-expired', Math.floor(live / 1000), new Date(), deps)).toBe(true);

    // The mfa tokens keep their purpose, flow, ttl and owner, and are spent once.
    const login = await readMfaToken('mfa-login', 'login', deps);
    expect(login).toMatchObject({ flow: 'refresh', ttl: 7200, userId: user.id, adminId: null, createdAt: now });
    expect(await readMfaToken('mfa-enrol', 'enrol', deps)).toMatchObject({ flow: 'login', ttl: null });
    expect(await refused(readMfaToken('mfa-enrol', 'login', deps))).toBe('invalid_token');
    expect(await refused(readMfaToken('mfa-expired', 'login', deps))).toBe('invalid_token');
    expect([await spendMfaToken(login, deps), await spendMfaToken(login, deps)]).toEqual([true, false]);

    // The reset link works once; the expired confirmation link does not.
    const reset = await readAccountToken('shop', 'reset-live', 'reset', deps);
    expect(reset.user.id).toBe(user.id);
    const spends = [
      await spendAccountToken(deps, reset.record, new Date()),
      await spendAccountToken(deps, reset.record, new Date()),
    ];
    expect(spends).toEqual([true, false]);
    expect(await refused(readAccountToken('shop', 'confirm-expired', 'confirm', deps))).toBe('invalid_token');

    // Down: the four tables again, with what is still live, in their own encodings.
    await createMigrator(db, pgUrl, { secretKey: SECRET_KEY }).down();
    expect(await tableExists('one_use_tokens')).toBe(false);
    const jtis = await Jti.findAll();
    const byExpiry = jtis.map((row) => [row.get('jtiHash'), (row.get('expiresAt') as Date).getTime()]);
    expect(byExpiry.sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      [sha256('jti-expired'), Math.floor(live / 1000) * 1000],
      [sha256('jti-live'), live],
      [sha256('jti-forever'), Date.parse('9999-12-31T00:00:00Z')],
    ]);
    expect((await Setup.findAll()).map((row) => (row.get('expiresAt') as Date).getTime())).toEqual([live]);
    const mfaRows = await db.query<Record<string, unknown>>(
      'SELECT token_hash, purpose, flow, user_id, admin_account_id, ttl FROM mfa_tokens ORDER BY flow',
      { type: QueryTypes.SELECT },
    );
    expect(mfaRows.map((row) => ({ ...row, user_id: row.user_id === null ? null : Number(row.user_id) }))).toEqual([
      {
        token_hash: sha256('mfa-admin'),
        purpose: 'login',
        flow: 'admin',
        user_id: null,
        admin_account_id: account.id,
        ttl: null,
      },
      {
        token_hash: sha256('mfa-enrol'),
        purpose: 'enrol',
        flow: 'login',
        user_id: user.id,
        admin_account_id: null,
        ttl: null,
      },
    ]);

    // And up once more: the admin's token goes with its account; the setup link makes the first admin, once.
    await migrateUp(db, pgUrl, { secretKey: SECRET_KEY });
    await account.destroy();
    expect(await storedTokens(db, 'mfa_login')).toEqual([]);
    const first = { token: 'setup-live', username: 'first-admin', password: GOOD_PASSWORD };
    await completeSetup(first, deps);
    expect(await models.AdminAccount.count()).toBe(1);
    await models.AdminAccount.destroy({ where: {} });
    expect(await refused(completeSetup(first, deps))).toBe('unauthorized');
  });
});
