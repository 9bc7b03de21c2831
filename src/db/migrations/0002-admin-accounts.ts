import { DataTypes, type QueryInterface } from 'sequelize';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const timestamp = { type: DataTypes.DATE, allowNull: false };

/** Admin accounts (apart from every application's users) and their console sessions. */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('admin_accounts', {
    id,
    username: { type: DataTypes.STRING(128), allowNull: false, unique: true },
    password_hash: { type: DataTypes.STRING(100), allowNull: false },
    created_at: timestamp,
    updated_at: timestamp,
    last_login_at: { type: DataTypes.DATE, allowNull: true },
  });

  // A session is stored only as the SHA-256 of its random id, which the token's `sid` carries.
  await q.createTable('admin_sessions', {
    id,
    sid_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    admin_account_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'admin_accounts', key: 'id' },
      onDelete: 'CASCADE',
    },
    expires_at: timestamp,
    revoked_at: { type: DataTypes.DATE, allowNull: true },
    created_at: timestamp,
  });
  await q.addIndex('admin_sessions', ['admin_account_id'], { name: 'admin_sessions_account' });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('admin_sessions');
  await q.dropTable('admin_accounts');
}
