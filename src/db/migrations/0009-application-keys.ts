import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Application keys (docs/api.md, Application keys): an application's backend manages its own
 * users with one. Only the key's SHA-256 is stored; revoking deletes the row, and every use reads
 * it, so a revocation holds on every instance at once.
 */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('application_keys', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    application_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'applications', key: 'id' },
      onDelete: 'CASCADE',
    },
    key_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    label: { type: DataTypes.STRING(100), allowNull: false },
    /** Space-separated, e.g. `users:read mfa:reset`. */
    scopes: { type: DataTypes.STRING(100), allowNull: false },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await q.addIndex('application_keys', ['application_id'], { name: 'application_keys_application' });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('application_keys');
}
