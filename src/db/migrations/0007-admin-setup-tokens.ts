import { DataTypes, type QueryInterface } from 'sequelize';

const timestamp = { type: DataTypes.DATE, allowNull: false };

/**
 * First run (docs/api.md, first-run setup): the one-time setup links printed while no admin account exists,
 * kept only as the SHA-256 of their token with an expiry, so that any worker or instance can
 * spend one. Spending is a DELETE of the row: of two requests, one deletes it.
 */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('admin_setup_tokens', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expires_at: timestamp,
    created_at: timestamp,
  });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('admin_setup_tokens');
}
