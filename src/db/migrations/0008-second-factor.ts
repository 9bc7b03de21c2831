import { DataTypes, type QueryInterface } from 'sequelize';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const owner = (table: string) => ({
  type: DataTypes.INTEGER,
  allowNull: true,
  references: { model: table, key: 'id' },
  onDelete: 'CASCADE',
});
/** Times as epoch milliseconds: compared in raw SQL alike on SQLite and PostgreSQL. */
const millis = (allowNull: boolean) => ({ type: DataTypes.BIGINT, allowNull });

/**
 * The second factor (docs/api.md, Second factor): each application's `mfa` setting; one TOTP
 * factor per user or admin account, its secret sealed with a key derived from SECRET_KEY and the
 * last time step it accepted (a code is accepted once); its recovery codes as SHA-256 only; and
 * the short-lived tokens between a password and a code, as SHA-256 only, spent by deleting the
 * row (of two requests, one deletes it).
 */
export async function up(q: QueryInterface): Promise<void> {
  // Raw SQL: Sequelize's addColumn names PostgreSQL's `public` schema (see 0006).
  await q.sequelize.query(`ALTER TABLE applications ADD COLUMN mfa VARCHAR(8) NOT NULL DEFAULT 'off'`);
  await q.createTable('second_factors', {
    id,
    user_id: owner('users'),
    admin_account_id: owner('admin_accounts'),
    secret: { type: DataTypes.TEXT, allowNull: false },
    confirmed_at: millis(true),
    last_step: millis(true),
    created_at: millis(false),
  });
  await q.addIndex('second_factors', ['user_id'], { unique: true, name: 'second_factors_user' });
  await q.addIndex('second_factors', ['admin_account_id'], { unique: true, name: 'second_factors_admin' });
  await q.createTable('recovery_codes', {
    id,
    factor_id: { ...owner('second_factors'), allowNull: false },
    code_hash: { type: DataTypes.STRING(64), allowNull: false },
  });
  await q.addIndex('recovery_codes', ['factor_id', 'code_hash'], { unique: true, name: 'recovery_codes_code' });
  await q.createTable('mfa_tokens', {
    id,
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    purpose: { type: DataTypes.STRING(16), allowNull: false },
    flow: { type: DataTypes.STRING(16), allowNull: false },
    user_id: owner('users'),
    admin_account_id: owner('admin_accounts'),
    ttl: { type: DataTypes.INTEGER, allowNull: true },
    expires_at: millis(false),
    created_at: millis(false),
  });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('mfa_tokens');
  await q.dropTable('recovery_codes');
  await q.dropTable('second_factors');
  await q.sequelize.query('ALTER TABLE applications DROP COLUMN mfa');
}
