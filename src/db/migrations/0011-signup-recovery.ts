import { DataTypes, type QueryInterface } from 'sequelize';

const APPLICATION_COLUMNS = [
  `signup VARCHAR(8) NOT NULL DEFAULT 'off'`,
  `recovery VARCHAR(8) NOT NULL DEFAULT 'off'`,
  'public_url VARCHAR(2048)',
  'mail_templates TEXT',
];

/**
 * Sign-up, e-mail confirmation and password recovery (docs/api.md, Sign-up, confirmation and
 * recovery): each application's `signup` and `recovery` settings, the page its mails link to and
 * its mail templates (JSON, null for the defaults); an optional e-mail per user, unique per
 * application ignoring case (an index on lower(email): NULLs never collide, on both databases);
 * and the one-use tokens of a confirmation or a reset, as SHA-256 only, spent by deleting the row.
 * Raw SQL for the columns: Sequelize's addColumn names PostgreSQL's `public` schema (see 0006).
 */
export async function up(q: QueryInterface): Promise<void> {
  for (const column of APPLICATION_COLUMNS) await q.sequelize.query(`ALTER TABLE applications ADD COLUMN ${column}`);
  await q.sequelize.query('ALTER TABLE users ADD COLUMN email VARCHAR(254)');
  await q.sequelize.query('CREATE UNIQUE INDEX users_application_email ON users (application_id, lower(email))');
  await q.createTable('account_tokens', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    /** `confirm` (a sign-up's e-mail) or `reset` (a password recovery). */
    purpose: { type: DataTypes.STRING(16), allowNull: false },
    user_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    expires_at: { type: DataTypes.BIGINT, allowNull: false },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await q.addIndex('account_tokens', ['user_id', 'purpose'], { name: 'account_tokens_user' });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('account_tokens');
  await q.sequelize.query('DROP INDEX users_application_email');
  await q.sequelize.query('ALTER TABLE users DROP COLUMN email');
  for (const column of ['mail_templates', 'public_url', 'recovery', 'signup']) {
    await q.sequelize.query(`ALTER TABLE applications DROP COLUMN ${column}`);
  }
}
