import { DataTypes, type QueryInterface } from 'sequelize';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const hash = { type: DataTypes.STRING(64), allowNull: false };
const owner = (table: string, allowNull = true) => ({
  type: DataTypes.INTEGER,
  allowNull,
  references: { model: table, key: 'id' },
  onDelete: 'CASCADE',
});
const millis = { type: DataTypes.BIGINT, allowNull: false };
const date = { type: DataTypes.DATE, allowNull: false };

/**
 * One table for every one-use token (src/db/one-use-token.repository.ts), where there were four
 * (admin_request_jtis, admin_setup_tokens, mfa_tokens, account_tokens): the SHA-256 of the token,
 * its purpose, its owner (a user or an admin account, whose deletion takes the token with it),
 * what the purpose keeps beside it (`data`, JSON: the mfa tokens' flow and ttl), and epoch
 * milliseconds. The live rows of the four are copied (the admin tables' DATE columns converted),
 * then the four are dropped.
 */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('one_use_tokens', {
    id,
    token_hash: hash,
    purpose: { type: DataTypes.STRING(16), allowNull: false },
    user_id: owner('users'),
    admin_account_id: owner('admin_accounts'),
    data: { type: DataTypes.TEXT, allowNull: true },
    expires_at: millis,
    created_at: millis,
  });
  // Lookups and spends by hash and purpose; the admin jti's INSERT … ON CONFLICT names it.
  await q.addIndex('one_use_tokens', ['token_hash', 'purpose'], { unique: true, name: 'one_use_tokens_hash' });
  // A user's tokens of a purpose: replaced, voided, and a sign-up's pending confirmation.
  await q.addIndex('one_use_tokens', ['user_id', 'purpose'], { name: 'one_use_tokens_user' });
  await q.addIndex('one_use_tokens', ['admin_account_id'], { name: 'one_use_tokens_admin' });
  // The purge, one purpose at a time, and the setup links dropped at every start.
  await q.addIndex('one_use_tokens', ['purpose', 'expires_at'], { name: 'one_use_tokens_expires' });

  const db = q.sequelize;
  const ms = db.getDialect() === 'postgres' ? pgMillis : sqliteMillis;
  const now = Date.now();
  const insert = `INSERT INTO one_use_tokens (token_hash, purpose, user_id, admin_account_id, data, expires_at, created_at)`;
  await db.query(
    `${insert} SELECT jti_hash, 'admin_jti', NULL, NULL, NULL, ${ms('expires_at')}, ${ms('created_at')}
       FROM admin_request_jtis WHERE ${ms('expires_at')} > $1`,
    { bind: [now] },
  );
  await db.query(
    `${insert} SELECT token_hash, 'admin_setup', NULL, NULL, NULL, ${ms('expires_at')}, ${ms('created_at')}
       FROM admin_setup_tokens WHERE ${ms('expires_at')} > $1`,
    { bind: [now] },
  );
  // flow is one of login, refresh, admin: nothing to escape in the JSON.
  const mfaData = `'{"flow":"' || flow || '","ttl":' || COALESCE(CAST(ttl AS VARCHAR(20)), 'null') || '}'`;
  await db.query(
    `${insert} SELECT token_hash, 'mfa_' || purpose, user_id, admin_account_id, ${mfaData}, expires_at, created_at
       FROM mfa_tokens WHERE purpose IN ('login', 'enrol') AND expires_at > $1`,
    { bind: [now] },
  );
  await db.query(
    `${insert} SELECT token_hash, purpose, user_id, NULL, NULL, expires_at, created_at
       FROM account_tokens WHERE purpose IN ('confirm', 'reset') AND expires_at > $1`,
    { bind: [now] },
  );
  for (const table of ['admin_request_jtis', 'admin_setup_tokens', 'mfa_tokens', 'account_tokens']) {
    await q.dropTable(table);
  }
}

/** The four tables again, as 0005, 0007, 0008 and 0011 made them, with the live rows copied back. */
export async function down(q: QueryInterface): Promise<void> {
  await q.createTable('admin_request_jtis', {
    id,
    jti_hash: { ...hash, unique: true },
    expires_at: date,
    created_at: date,
  });
  await q.addIndex('admin_request_jtis', ['expires_at'], { name: 'admin_request_jtis_expires' });
  await q.createTable('admin_setup_tokens', {
    id,
    token_hash: { ...hash, unique: true },
    expires_at: date,
    created_at: date,
  });
  await q.createTable('mfa_tokens', {
    id,
    token_hash: { ...hash, unique: true },
    purpose: { type: DataTypes.STRING(16), allowNull: false },
    flow: { type: DataTypes.STRING(16), allowNull: false },
    user_id: owner('users'),
    admin_account_id: owner('admin_accounts'),
    ttl: { type: DataTypes.INTEGER, allowNull: true },
    expires_at: millis,
    created_at: millis,
  });
  await q.createTable('account_tokens', {
    id,
    token_hash: { ...hash, unique: true },
    purpose: { type: DataTypes.STRING(16), allowNull: false },
    user_id: owner('users', false),
    expires_at: millis,
    created_at: millis,
  });
  await q.addIndex('account_tokens', ['user_id', 'purpose'], { name: 'account_tokens_user' });

  const db = q.sequelize;
  const postgres = db.getDialect() === 'postgres';
  const toDate = postgres ? pgDate : sqliteDate;
  const live = 'FROM one_use_tokens WHERE purpose = $1 AND expires_at > $2';
  const copy = (sql: string, purpose: string) => db.query(sql, { bind: [purpose, Date.now()] });
  await copy(
    `INSERT INTO admin_request_jtis (jti_hash, expires_at, created_at)
     SELECT token_hash, ${toDate('expires_at')}, ${toDate('created_at')} ${live}`,
    'admin_jti',
  );
  await copy(
    `INSERT INTO admin_setup_tokens (token_hash, expires_at, created_at)
     SELECT token_hash, ${toDate('expires_at')}, ${toDate('created_at')} ${live}`,
    'admin_setup',
  );
  const field = (name: string) => (postgres ? `CAST(data AS JSON) ->> '${name}'` : `json_extract(data, '$.${name}')`);
  for (const purpose of ['login', 'enrol']) {
    await copy(
      `INSERT INTO mfa_tokens (token_hash, purpose, flow, user_id, admin_account_id, ttl, expires_at, created_at)
       SELECT token_hash, '${purpose}', ${field('flow')}, user_id, admin_account_id, CAST(${field('ttl')} AS INTEGER),
              expires_at, created_at ${live}`,
      `mfa_${purpose}`,
    );
  }
  for (const purpose of ['confirm', 'reset']) {
    await copy(
      `INSERT INTO account_tokens (token_hash, purpose, user_id, expires_at, created_at)
       SELECT token_hash, purpose, user_id, expires_at, created_at ${live}`,
      purpose,
    );
  }
  await q.dropTable('one_use_tokens');
}

/** A DATE column as epoch milliseconds: PostgreSQL's timestamp with time zone. */
const pgMillis = (column: string) => `CAST(ROUND(EXTRACT(EPOCH FROM ${column}) * 1000) AS BIGINT)`;
/** SQLite's DATE is Sequelize's text, `2026-12-07 16:43:30.123 +00:00`, which julianday() reads. */
const sqliteMillis = (column: string) => `CAST(ROUND((julianday(${column}) - 2440587.5) * 86400000) AS INTEGER)`;
/** Integer arithmetic, so that no millisecond is lost to a float on the way. */
const pgDate = (column: string) => `(TIMESTAMP WITH TIME ZONE 'epoch' + ${column} * INTERVAL '1 millisecond')`;
/** Written as Sequelize writes a DATE on SQLite, so that its models read it back. */
const sqliteDate = (column: string) => `strftime('%Y-%m-%d %H:%M:%f', ${column} / 1000.0, 'unixepoch') || ' +00:00'`;
