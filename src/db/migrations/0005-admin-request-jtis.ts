import { DataTypes, type QueryInterface } from 'sequelize';

const timestamp = { type: DataTypes.DATE, allowNull: false };

/**
 * The replay cache of signed admin requests (docs/api.md, Authenticating admin requests): the `jti` of every one-use token,
 * stored as its SHA-256, until the token expires. The unique key is the check: of two
 * instances inserting the same jti, one fails. Expired rows are purged by expires_at.
 */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('admin_request_jtis', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    jti_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expires_at: timestamp,
    created_at: timestamp,
  });
  await q.addIndex('admin_request_jtis', ['expires_at'], { name: 'admin_request_jtis_expires' });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('admin_request_jtis');
}
